package cli

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

// TestStoreAutoWithoutSessionBus: under store=auto (the default) with no
// D-Bus session bus, the slow path keeps the token in the file store and
// says so in one trace line, without probing. (The keyring side runs
// against a real Secret Service: cmd/git-credential-bitbucket's
// TestKeyringScript.)
func TestStoreAutoWithoutSessionBus(t *testing.T) {
	t.Parallel()
	for _, config := range [][]string{nil, {"bitbucket.https://" + testHost + ".store", "auto"}} {
		h := newHarness(t, config...)
		h.prov.obtain = func(*tokenstore.Record, bool) (*tokenstore.Record, error) {
			return record("tok-new-456", "rt-new-456", 2*time.Hour), nil
		}
		start := time.Now()
		stdout, stderr, _ := h.run(request(), []string{"GIT_CREDENTIAL_BITBUCKET_TRACE=1"}, "get")
		if !strings.Contains(stdout, "password=tok-new-456\n") {
			t.Fatalf("get: stdout %q stderr %q", stdout, stderr)
		}
		if n := strings.Count(stderr, "store=auto: "); n != 1 || !strings.Contains(stderr, "store=auto: secrets for https://"+testHost+" go to the file store (no D-Bus session bus") {
			t.Errorf("trace has %d store=auto lines, want one naming the file store:\n%s", n, stderr)
		}
		if d := time.Since(start); d > 900*time.Millisecond {
			t.Errorf("get took %s: the keyring was probed", d)
		}
		if recs := h.records(); len(recs) != 1 || recs[0].SecretsIn != "" || recs[0].AccessToken != "tok-new-456" {
			t.Errorf("records %v: want the token in the file", recs)
		}
	}
}

// TestStoreKeyringWithoutKeyring: bitbucket.store=keyring where no
// keyring answers is one clear line before anything is minted (a token,
// or a rotated refresh token, that could not be kept), and the secrets
// never fall back to the file.
func TestStoreKeyringWithoutKeyring(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		config []string
		env    []string
	}{
		{name: "git config", config: []string{"bitbucket.https://" + testHost + ".store", "keyring"}},
		{name: "environment", env: []string{"GIT_CREDENTIAL_BITBUCKET_STORE=keyring"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, tt.config...)
			h.prov.obtain = func(*tokenstore.Record, bool) (*tokenstore.Record, error) {
				t.Error("provider called with no keyring to keep its token")
				return nil, nil
			}
			stdout, stderr, _ := h.run(request(), tt.env, "get")
			want := "bitbucket.store=keyring for https://" + testHost + ", but the OS keyring does not answer: no D-Bus session bus"
			if stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, want) {
				t.Errorf("get: stdout %q stderr %q; want one line with %q", stdout, stderr, want)
			}
			if _, err := os.Stat(h.store().Path()); !os.IsNotExist(err) {
				t.Errorf("tokens.json written: %v", err)
			}
		})
	}
}

// TestStoreKeyringReadsFileRecords: a record kept in the file store
// before (or with store=file) keeps answering the fast path under
// store=keyring, with no keyring at all.
func TestStoreKeyringReadsFileRecords(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "bitbucket.https://"+testHost+".store", "keyring")
	h.put(record("tok-valid-123", "rt-valid-123", time.Hour))
	stdout, stderr, _ := h.run(request(), nil, "get")
	if !strings.Contains(stdout, "password=tok-valid-123\n") || stderr != "" {
		t.Errorf("get: stdout %q stderr %q", stdout, stderr)
	}
}
