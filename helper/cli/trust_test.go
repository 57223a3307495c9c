package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

// otherHost is a host nobody configured.
const otherHost = "git.other.test"

// issueToken makes the fake provider answer with a fresh token.
func (h *harness) issueToken(token string) {
	h.prov.obtain = func(prev *tokenstore.Record, login bool) (*tokenstore.Record, error) {
		return &tokenstore.Record{GitUsername: "x-token-auth", AccessToken: token, Expiry: testNow.Add(time.Hour)}, nil
	}
}

// TestOnlyNamedHostsAreOurs (issue 10, point 1): the CI environment
// variables, or URL-less bitbucket.grant/kind, do not make a host ours; a
// URL-scoped key or GIT_CREDENTIAL_BITBUCKET_URL does. Fails on the code
// that served any host once a grant was set anywhere.
func TestOnlyNamedHostsAreOurs(t *testing.T) {
	t.Parallel()
	ci := []string{"GIT_CREDENTIAL_BITBUCKET_GRANT=client-credentials", "GIT_CREDENTIAL_BITBUCKET_CLIENT_ID=ci-id", "GIT_CREDENTIAL_BITBUCKET_CLIENT_SECRET=ci-secret-value"}
	get := "protocol=https\nhost=" + otherHost + "\n"
	getPath := get + "path=bitbucket/scm/p/r.git\n"
	tests := []struct {
		name   string
		config []string
		env    []string
		req    string
		ours   bool
	}{
		{name: "CI environment only", env: ci, req: get},
		{name: "URL-less config", config: []string{"bitbucket.grant", "client-credentials", "bitbucket.kind", "cloud", "bitbucket.clientId", "x"}, req: get},
		{name: "URL-less config and environment", config: []string{"bitbucket.kind", "cloud"}, env: ci, req: getPath},
		{name: "key for another host", config: []string{"bitbucket.https://" + otherHost + ".evil.kind", "cloud"}, env: ci, req: get},
		{name: "key for http only", config: []string{"bitbucket.http://" + otherHost + ".clientId", "x"}, env: ci, req: get},
		{name: "URL-scoped key", config: []string{"bitbucket.https://" + otherHost + ".clientId", "x"}, env: ci, req: get, ours: true},
		{name: "wildcard key", config: []string{"bitbucket.https://*.other.test.clientId", "x"}, env: ci, req: get, ours: true},
		{name: "GIT_CREDENTIAL_BITBUCKET_URL", env: append([]string{"GIT_CREDENTIAL_BITBUCKET_URL=https://" + otherHost}, ci...), req: get, ours: true},
		{name: "GIT_CREDENTIAL_BITBUCKET_URL list", env: append([]string{"GIT_CREDENTIAL_BITBUCKET_URL=https://a.test, https://" + otherHost + "/"}, ci...), req: getPath, ours: true},
		{name: "GIT_CREDENTIAL_BITBUCKET_URL context path", env: append([]string{"GIT_CREDENTIAL_BITBUCKET_URL=https://" + otherHost + "/bitbucket"}, ci...), req: getPath, ours: true},
		{name: "GIT_CREDENTIAL_BITBUCKET_URL other path", env: append([]string{"GIT_CREDENTIAL_BITBUCKET_URL=https://" + otherHost + "/tools"}, ci...), req: getPath},
		{name: "GIT_CREDENTIAL_BITBUCKET_URL path, no path sent", env: append([]string{"GIT_CREDENTIAL_BITBUCKET_URL=https://" + otherHost + "/bitbucket"}, ci...), req: get},
		{name: "GIT_CREDENTIAL_BITBUCKET_URL other port", env: append([]string{"GIT_CREDENTIAL_BITBUCKET_URL=https://" + otherHost + ":8443"}, ci...), req: get},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, tt.config...)
			h.issueToken("issued-token-value")
			out, errOut, code := h.run(tt.req, tt.env, "get")
			if code != 0 {
				t.Errorf("exit %d", code)
			}
			if !tt.ours {
				if out != "" || errOut != "" || h.prov.callCount() != 0 {
					t.Errorf("stdout %q, stderr %q, %d provider calls; want nothing at all for a host nobody named", out, errOut, h.prov.callCount())
				}
				return
			}
			if !strings.Contains(out, "password=issued-token-value") || h.prov.callCount() != 1 {
				t.Fatalf("stdout %q, stderr %q; want the token of the named remote", out, errOut)
			}
			if got := h.prov.envs[0].Remote.Host; got != otherHost {
				t.Errorf("provider asked for %s, want the named remote %s", got, otherHost)
			}
			noSecrets(t, "stderr", errOut, "ci-secret-value")
		})
	}
}

// TestBadURLEnvIsOneLine: an unusable GIT_CREDENTIAL_BITBUCKET_URL entry
// is reported in one line and names nothing.
func TestBadURLEnvIsOneLine(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.issueToken("issued-token-value")
	out, errOut, _ := h.run("protocol=https\nhost="+otherHost+"\n", []string{"GIT_CREDENTIAL_BITBUCKET_URL=" + otherHost, "GIT_CREDENTIAL_BITBUCKET_GRANT=client-credentials"}, "get")
	if out != "" || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "GIT_CREDENTIAL_BITBUCKET_URL") || h.prov.callCount() != 0 {
		t.Errorf("stdout %q, stderr %q, %d calls; want one line naming the variable and no credentials", out, errOut, h.prov.callCount())
	}
}

// TestCommandsNameTheRule: a user command for a host named nowhere says
// how to name it, and never that the environment would do.
func TestCommandsNameTheRule(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	_, errOut, code := h.run("", []string{"GIT_CREDENTIAL_BITBUCKET_GRANT=client-credentials"}, "token", "https://"+otherHost)
	if code != exitFail || !strings.Contains(errOut, "GIT_CREDENTIAL_BITBUCKET_URL") || !strings.Contains(errOut, "configure https://"+otherHost) {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}

// TestInlineSecretWarning (issue 10, point 11): a bitbucket.clientSecret
// in a git config file others can read gets one warning line naming
// clientSecretFile; none when the file is private or the environment
// gives the secret. Fails on the code that said nothing.
func TestInlineSecretWarning(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		mode os.FileMode
		env  []string
		warn bool
	}{
		{name: "world-readable", mode: 0o644, warn: true},
		{name: "group-readable", mode: 0o640, warn: true},
		{name: "private", mode: 0o600},
		{name: "environment wins", mode: 0o644, env: []string{"GIT_CREDENTIAL_BITBUCKET_CLIENT_SECRET=from-env-secret"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, "bitbucket.https://"+testHost+".clientSecret", "inline-secret-value")
			cfg := filepath.Join(h.dir, "gitconfig")
			if err := os.Chmod(cfg, tt.mode); err != nil {
				t.Fatal(err)
			}
			h.issueToken("issued-token-value")
			out, errOut, _ := h.run(request(), tt.env, "get")
			if !strings.Contains(out, "password=issued-token-value") {
				t.Fatalf("stdout %q, stderr %q; the warning must not stop the answer", out, errOut)
			}
			warned := strings.Count(errOut, "\n") == 1 && strings.Contains(errOut, "clientSecretFile") && strings.Contains(errOut, cfg)
			if warned != tt.warn || (!tt.warn && errOut != "") {
				t.Errorf("stderr %q; want a warning: %t", errOut, tt.warn)
			}
			noSecrets(t, "stderr", errOut, "inline-secret-value", "from-env-secret")
		})
	}
}

// TestTimeoutIsTheDeadline (issue 10, point 4): a grant that asks nobody
// gets bitbucket.timeout as its whole deadline even with prompting
// allowed (GIT_TERMINAL_PROMPT unset), the wait for another process's lock
// included; an interactive grant gets the grace on top. Fails on the code
// that added five minutes whenever prompting was not turned off.
func TestTimeoutIsTheDeadline(t *testing.T) {
	t.Parallel()
	const timeout = 3 * time.Second
	t.Run("non-interactive", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, "bitbucket.https://"+testHost+".timeout", "3s")
		h.issueToken("issued-token-value")
		h.run(request(), nil, "get")
		if h.prov.callCount() != 1 || h.prov.deadline[0] > timeout || h.prov.deadline[0] < 0 {
			t.Errorf("deadline left %v, want at most %v", h.prov.deadline, timeout)
		}
	})
	t.Run("lock wait counts", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, "bitbucket.https://"+testHost+".timeout", "3s")
		h.issueToken("issued-token-value")
		st, err := tokenstore.Open(h.app.StoreDir)
		if err != nil {
			t.Fatal(err)
		}
		unlock, err := lockRemote(t.Context(), st, testKey)
		if err != nil {
			t.Fatal(err)
		}
		const held = 1500 * time.Millisecond
		go func() { time.Sleep(held); unlock() }()
		h.run(request(), nil, "get")
		if h.prov.callCount() != 1 || h.prov.deadline[0] > timeout-held+200*time.Millisecond {
			t.Errorf("deadline left after waiting %v for the lock: %v, want at most %v", held, h.prov.deadline, timeout-held)
		}
	})
	t.Run("interactive grant", func(t *testing.T) {
		t.Parallel()
		h := newHarness(t, "bitbucket.https://"+testHost+".timeout", "3s", "bitbucket.https://"+testHost+".grant", "authorization-code")
		h.issueToken("issued-token-value")
		h.run(request(), nil, "get")
		if h.prov.callCount() != 1 || h.prov.deadline[0] < interactiveGrace {
			t.Errorf("deadline left %v, want the interactive grace", h.prov.deadline)
		}
		h.run(request(), []string{"GIT_TERMINAL_PROMPT=0", "GIT_CREDENTIAL_BITBUCKET_REFRESH_MARGIN=2h"}, "get")
		if h.prov.callCount() != 2 || h.prov.deadline[1] > timeout {
			t.Errorf("with GIT_TERMINAL_PROMPT=0: deadline left %v, want at most %v", h.prov.deadline, timeout)
		}
	})
}

// TestStatusAndTokenAreTerminalSafe (issue 10, point 6): status never
// prints a control character, bidi override or line separator a server
// put in an account name or scopes; token refuses a token that is not
// visible ASCII; stderr lines lose them too. Fails on the code that
// printed them raw (and only stripped C0/C1 controls on stderr).
func TestStatusAndTokenAreTerminalSafe(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.prov.accountN = "ev\x1b]0;owned\x07il\u202egnp.exe\u2066"
	rec := record("tok\x1b[2Jen-value", "", time.Hour)
	rec.Scopes = "repository\u2028git-credential-bitbucket: fake line\u0085\u2029"
	h.put(rec)
	out, errOut, code := h.run("", nil, "status", "https://"+testHost)
	if code != 0 || !strings.Contains(out, "account:") {
		t.Fatalf("status: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if strings.ContainsFunc(strings.ReplaceAll(out, "\n", ""), termUnsafe) {
		t.Errorf("status printed terminal controls: %q", out)
	}
	out, errOut, code = h.run("", nil, "token", "https://"+testHost)
	if code != exitFail || out != "" || strings.Count(errOut, "\n") != 1 || strings.ContainsFunc(strings.TrimSuffix(errOut, "\n"), termUnsafe) {
		t.Errorf("token: exit %d, stdout %q, stderr %q; want a one-line refusal", code, out, errOut)
	}
	if got := oneLine("a\u202eb\u2066c\u2028d\u2029e\u200ff"); strings.ContainsFunc(got, termUnsafe) {
		t.Errorf("oneLine kept %q", got)
	}
}
