package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

// TestClockOffset: GIT_CREDENTIAL_BITBUCKET_CLOCK_OFFSET moves the clock the
// fast path and the providers see; garbage is refused in one line.
func TestClockOffset(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		offset     string
		wantFast   bool
		wantNow    time.Time // what the provider's Env.Now says; zero: not called
		wantStderr string
	}{
		{"unset", "", true, time.Time{}, ""},
		{"within validity", "30m", true, time.Time{}, ""},
		{"past expiry", "2h1m", false, testNow.Add(2*time.Hour + time.Minute), ""},
		{"garbage", "soon", false, time.Time{}, `invalid GIT_CREDENTIAL_BITBUCKET_CLOCK_OFFSET "soon"`},
		{"negative", "-1h", false, time.Time{}, `invalid GIT_CREDENTIAL_BITBUCKET_CLOCK_OFFSET "-1h"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.put(record("tok-old-123", "rt-old-123", time.Hour))
			h.prov.obtain = func(prev *tokenstore.Record, login bool) (*tokenstore.Record, error) {
				return record("tok-new-456", "rt-new-456", 4*time.Hour), nil
			}
			var env []string
			if tt.offset != "" {
				env = []string{"GIT_CREDENTIAL_BITBUCKET_CLOCK_OFFSET=" + tt.offset}
			}
			stdout, stderr, code := h.run(request(), env, "get")
			if code != exitOK {
				t.Errorf("get exit %d, want 0", code)
			}
			if got := strings.Contains(stdout, "password=tok-old-123"); got != tt.wantFast {
				t.Errorf("fast answer = %v, want %v (stdout %q)", got, tt.wantFast, stdout)
			}
			if tt.wantStderr != "" {
				if !strings.Contains(stderr, tt.wantStderr) || strings.Count(stderr, "\n") != 1 {
					t.Errorf("stderr %q, want one line with %q", stderr, tt.wantStderr)
				}
				if stdout != "" {
					t.Errorf("stdout %q, want nothing", stdout)
				}
				if _, _, code := h.run("", env, "status"); code != exitFail {
					t.Errorf("status exit %d, want %d", code, exitFail)
				}
			}
			if !tt.wantNow.IsZero() {
				if h.prov.callCount() != 1 {
					t.Fatalf("provider called %d times, want 1", h.prov.callCount())
				}
				if got := h.prov.envs[0].Now(); !got.Equal(tt.wantNow) {
					t.Errorf("provider Env.Now() = %v, want %v", got, tt.wantNow)
				}
				if !strings.Contains(stdout, "password=tok-new-456") {
					t.Errorf("stdout %q, want the new token", stdout)
				}
			}
		})
	}
}
