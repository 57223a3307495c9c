package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/cloud"
	"github.com/bbcred/git-credential-bitbucket/helper/grant"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

// authCodeRecord is a Cloud authorization-code record whose refresh token
// was last used lastUse before testNow.
func authCodeRecord(access, refresh string, valid, lastUse time.Duration) *tokenstore.Record {
	rec := record(access, refresh, valid)
	rec.Grant = grant.AuthorizationCode
	rec.RefreshUsed = testNow.Add(-lastUse)
	return rec
}

// TestRefusedRefreshAnswersQuit: without a person, a refused refresh is
// quit=1 and one line telling to log in, never blaming the client secret;
// the suspect record the provider returns is kept, refresh token included.
func TestRefusedRefreshAnswersQuit(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "bitbucket.https://"+testHost+".grant", grant.AuthorizationCode,
		"bitbucket.https://"+testHost+".clientId", "consumer-key")
	h.put(authCodeRecord("tok-old-123", "rt-old-123", -time.Minute, time.Hour))
	h.prov.obtain = func(prev *tokenstore.Record, login bool) (*tokenstore.Record, error) {
		suspect := *prev
		suspect.RefreshRefused = testNow
		return &suspect, &cloud.RefreshRefusedError{Refused: testNow, RetryAfter: testNow.Add(cloud.DefaultRefreshCooldown)}
	}
	stdout, stderr, _ := h.run(request(), []string{"GIT_TERMINAL_PROMPT=0"}, "get")
	if !strings.Contains(stdout, "quit=1") || strings.Contains(stdout, "password=") {
		t.Errorf("stdout %q, want quit=1 and no password", stdout)
	}
	want := linePrefix + "Bitbucket refused the stored refresh token (used elsewhere, revoked, or unused for 90 days): run git-credential-bitbucket login https://" + testHost + "\n"
	if stderr != want {
		t.Errorf("stderr %q\nwant   %q", stderr, want)
	}
	if strings.Contains(strings.ToLower(stderr), "secret") {
		t.Errorf("stderr %q blames the client secret", stderr)
	}
	recs := h.records()
	if len(recs) != 1 || recs[0].RefreshToken != "rt-old-123" || !recs[0].RefreshRefused.Equal(testNow) {
		t.Errorf("store %+v; want the refresh token kept as suspect", recs)
	}
	out, _, _ := h.run("", nil, "status", "https://"+testHost)
	if !strings.Contains(out, "refresh token: stored, last used 2026-11-27T11:00:00Z (1h0m0s ago); refused by Bitbucket at 2026-11-27T12:00:00Z, kept, tried again after 2026-11-27T12:05:00Z") {
		t.Errorf("status:\n%s", out)
	}
}

// TestKeepAliveBypassesFastPath: a valid token whose refresh token has
// gone unused for 60 days goes to the provider; one used 59 days ago
// does not.
func TestKeepAliveBypassesFastPath(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		lastUse  time.Duration
		wantCall bool
	}{{59 * 24 * time.Hour, false}, {60 * 24 * time.Hour, true}} {
		h := newHarness(t, "bitbucket.https://"+testHost+".grant", grant.AuthorizationCode,
			"bitbucket.https://"+testHost+".clientId", "consumer-key")
		h.put(authCodeRecord("tok-valid-123", "rt-idle-123", time.Hour, tt.lastUse))
		h.prov.obtain = func(prev *tokenstore.Record, login bool) (*tokenstore.Record, error) {
			return authCodeRecord("tok-new-456", "rt-new-456", 2*time.Hour, 0), nil
		}
		stdout, stderr, _ := h.run(request(), nil, "get")
		if got := h.prov.callCount() == 1; got != tt.wantCall {
			t.Errorf("last use %s ago: provider called %t, want %t (stderr %q)", tt.lastUse, got, tt.wantCall, stderr)
		}
		want := map[bool]string{false: "password=tok-valid-123", true: "password=tok-new-456"}[tt.wantCall]
		if !strings.Contains(stdout, want) {
			t.Errorf("last use %s ago: stdout %q, want %q", tt.lastUse, stdout, want)
		}
	}
}

// TestLongTokens: tokens of 8 KiB and more (docs/bitbucket-behaviour.md#cloud-refresh-rotation) go through the
// store, git's answer, the fast path, traces and status.
func TestLongTokens(t *testing.T) {
	t.Parallel()
	access := "eyJ" + strings.Repeat("aB3-_x9Z.", 8300/9) + "sig"
	refresh := "rt" + strings.Repeat("Qz7_", 8300/4)
	h := newHarness(t)
	h.put(record("tok-old-123", "rt-old-123", -time.Minute))
	h.prov.obtain = func(prev *tokenstore.Record, login bool) (*tokenstore.Record, error) {
		return authCodeRecord(access, refresh, 2*time.Hour, 0), nil
	}
	env := []string{"GIT_CREDENTIAL_BITBUCKET_TRACE=1"}
	for i, path := range []string{"slow", "fast"} {
		stdout, stderr, _ := h.run(request(), env, "get")
		if !strings.Contains(stdout, "\npassword="+access+"\n") {
			t.Errorf("%s path: the answer lacks the whole token (%d bytes of stdout)", path, len(stdout))
		}
		if !strings.Contains(stderr, "trace:") {
			t.Errorf("%s path: no trace", path)
		}
		noSecrets(t, path+" path trace", stderr, access, refresh, access[:4000])
		if h.prov.callCount() != 1 {
			t.Errorf("after get %d: %d provider calls, want 1", i+1, h.prov.callCount())
		}
	}
	if recs := h.records(); len(recs) != 1 || recs[0].AccessToken != access || recs[0].RefreshToken != refresh {
		t.Errorf("store does not hold the long tokens whole")
	}
	out, _, code := h.run("", env, "status", "https://"+testHost)
	if code != 0 || !strings.Contains(out, "refresh token: stored, last used") {
		t.Errorf("status (exit %d):\n%.400s", code, out)
	}
	noSecrets(t, "status", out, access, refresh, access[:4000])
}
