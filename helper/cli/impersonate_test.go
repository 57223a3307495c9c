package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/auth"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

// impersonationHarness serves testHost with oauth1-impersonate through the
// fake provider, which mints a token named after the user it is told to
// act for (Settings.User).
func impersonationHarness(t *testing.T, users string) *harness {
	t.Helper()
	config := []string{"bitbucket.https://" + testHost + ".kind", "server", "bitbucket.https://" + testHost + ".grant", "oauth1-impersonate"}
	if users != "" {
		config = append(config, "bitbucket.https://"+testHost+".user", users)
	}
	h := newHarness(t, config...)
	h.app.Providers = map[string]auth.Provider{"server": h.prov}
	h.prov.obtain = func(prev *tokenstore.Record, login bool) (*tokenstore.Record, error) {
		h.prov.mu.Lock()
		user := h.prov.envs[len(h.prov.envs)-1].Settings.User
		h.prov.mu.Unlock()
		return &tokenstore.Record{GitUsername: user, MintedTokenUser: user, MintedTokenID: "1",
			AccessToken: "token-of-" + user, Expiry: testNow.Add(time.Hour)}, nil
	}
	return h
}

// TestImpersonationNeverChosenByURL (issue 10, point 2): whom
// oauth1-impersonate acts for comes from bitbucket.user only. A URL user
// outside it gets no credentials and one line; a request without a user
// gets the configured user's token, never the last one minted. Fails on
// the code that impersonated whoever the URL named.
func TestImpersonationNeverChosenByURL(t *testing.T) {
	t.Parallel()
	t.Run("no bitbucket.user", func(t *testing.T) {
		t.Parallel()
		h := impersonationHarness(t, "")
		out, errOut, _ := h.run(request("username=alice"), nil, "get")
		if strings.Contains(out, "password") || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "bitbucket.user") || h.prov.callCount() != 0 {
			t.Errorf("stdout %q, stderr %q, %d calls; want one line asking for bitbucket.user", out, errOut, h.prov.callCount())
		}
	})
	t.Run("one user", func(t *testing.T) {
		t.Parallel()
		h := impersonationHarness(t, "bob")
		out, errOut, _ := h.run(request("username=alice"), nil, "get")
		if out != "" || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, `"alice"`) || h.prov.callCount() != 0 {
			t.Errorf("alice: stdout %q, stderr %q, %d calls; want no credentials and one line", out, errOut, h.prov.callCount())
		}
		out, _, _ = h.run(request(), nil, "get")
		if !strings.Contains(out, "password=token-of-bob") {
			t.Errorf("without a username: stdout %q, want bob's token", out)
		}
	})
	t.Run("allow-list", func(t *testing.T) {
		t.Parallel()
		h := impersonationHarness(t, "bob, alice")
		for _, tt := range []struct{ req, want string }{
			{request("username=alice"), "password=token-of-alice"},
			{request(), "password=token-of-bob"},
			{request("username=carol"), ""},
			{request(), "password=token-of-bob"}, // the fast path now
		} {
			out, errOut, _ := h.run(tt.req, nil, "get")
			if (tt.want == "" && out != "") || !strings.Contains(out, tt.want) {
				t.Errorf("%q: stdout %q, stderr %q, want %q", tt.req, out, errOut, tt.want)
			}
		}
	})
}

// TestImpersonationFastPath: the fast path, which reads no git config,
// serves a request without a username only from a record kept for such
// requests, and a named user only when the record's own bitbucket.user
// allowed it. Fails on the code that served the latest record of any user.
func TestImpersonationFastPath(t *testing.T) {
	t.Parallel()
	h := impersonationHarness(t, "bob")
	stored := func(user, id string, updated time.Time) *tokenstore.Record {
		return &tokenstore.Record{Key: tokenstore.Key{Protocol: "https", Host: testHost, Username: user},
			Kind: "server", Grant: "oauth1-impersonate", Identity: id, GitUsername: user, MintedTokenUser: user,
			AccessToken: "stored-token-of-" + user, Expiry: testNow.Add(time.Hour), Updated: updated}
	}
	// alice's record is the newest, minted by a helper that let the URL choose.
	h.put(stored("alice", "kind=server grant=oauth1-impersonate", testNow))
	out, errOut, _ := h.run(request(), nil, "get")
	if strings.Contains(out, "alice") || !strings.Contains(out, "password=token-of-bob") {
		t.Errorf("without a username: stdout %q, stderr %q; want bob's token, never alice's", out, errOut)
	}
	out, errOut, _ = h.run(request("username=alice"), nil, "get")
	if strings.Contains(out, "password") || strings.Count(errOut, "\n") != 1 {
		t.Errorf("alice, not allowed now: stdout %q, stderr %q; want no credentials and one line", out, errOut)
	}
}

// TestConfigureImpersonationNeedsUser: configure refuses oauth1-impersonate
// without --user (fails on the code that wrote such a config).
func TestConfigureImpersonationNeedsUser(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	_, errOut, code := h.run("", nil, "configure", "https://bbs.example.test", "--grant", "oauth1-impersonate", "--consumer-key", "k")
	if code != exitUsage || !strings.Contains(errOut, "--user") || strings.Count(errOut, "\n") != 1 {
		t.Errorf("exit %d, stderr %q; want a usage error naming --user", code, errOut)
	}
}
