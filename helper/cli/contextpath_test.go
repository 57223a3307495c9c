package cli

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bbcred/git-credential-bitbucket/helper/auth"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

func TestScmContextPath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in     string
		want   string
		wantOK bool
	}{
		{"bitbucket/scm/proj/widgets.git", "bitbucket", true},
		{"/bitbucket/scm/proj/widgets.git", "bitbucket", true},
		{"a/b/scm/proj/widgets.git", "a/b", true},
		{"scm/proj/widgets.git", "", true},
		{"acme/widgets.git", "", false},
		{"bitbucket", "", false},
		{"scmx/proj/r.git", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, ok := scmContextPath(tt.in)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("scmContextPath(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestConfiguredPath(t *testing.T) {
	t.Parallel()
	urls := []string{
		"https://bb.example.test",
		"https://bb.example.test/team",
		"https://bb.example.test/team/sub",
		"https://bb.example.test/teamwork",
		"http://bb.example.test/other",
		"https://BB.example.test:443/upper",
		"https://evil.test/team",
	}
	tests := []struct{ path, want string }{
		{"team/widgets.git", "team"},
		{"team/sub/widgets.git", "team/sub"},
		{"teamwork/x.git", "teamwork"},
		{"teams/x.git", ""},
		{"other/x.git", ""}, // configured for http only
		{"upper/x.git", "upper"},
		{"acme/widgets.git", ""},
	}
	for _, tt := range tests {
		if got := configuredPath(urls, "https", "bb.example.test", tt.path); got != tt.want {
			t.Errorf("configuredPath(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
}

func TestPathsRelated(t *testing.T) {
	t.Parallel()
	tests := []struct {
		rec, url string
		want     bool
	}{
		{"", "", true},
		{"", "bitbucket", true},
		{"bitbucket", "", true},
		{"bitbucket", "bitbucket", true},
		{"bitbucket", "bitbucket/scm/proj/widgets.git", true},
		{"bitbucket", "bitbucket2", false},
		{"other", "bitbucket", false},
	}
	for _, tt := range tests {
		if got := pathsRelated(tt.rec, tt.url); got != tt.want {
			t.Errorf("pathsRelated(%q, %q) = %v, want %v", tt.rec, tt.url, got, tt.want)
		}
	}
}

// ctxHost is configured only under a context path in ctxHarness.
const ctxHost = "srv.example.test"

// ctxHarness serves https://srv.example.test/<ctxPath> (kind "cloud" is
// the fake provider) and nothing else on that host.
func ctxHarness(t *testing.T, ctxPath string) *harness {
	t.Helper()
	base := "bitbucket.https://" + ctxHost + "/" + ctxPath
	return newHarness(t, base+".kind", "cloud", base+".grant", "client-credentials", base+".consumerKey", "link-1")
}

func ctxRequest(path string, lines ...string) string {
	return "protocol=https\nhost=" + ctxHost + "\npath=" + path + "\n" + strings.Join(lines, "\n")
}

func minted(access string, d time.Duration) *tokenstore.Record {
	return &tokenstore.Record{Kind: "cloud", Grant: "client-credentials", GitUsername: "svc-ci",
		AccessToken: access, Expiry: testNow.Add(d), MintedTokenID: "42", MintedTokenUser: "svc-ci"}
}

// TestContextPathOneTokenPerRemote: settings keyed by a URL with a context
// path apply when git sends the repository path; the token is kept for the
// context path and serves every repository below it.
func TestContextPathOneTokenPerRemote(t *testing.T) {
	t.Parallel()
	for _, ctxPath := range []string{"bitbucket", "tools/bb"} {
		t.Run(ctxPath, func(t *testing.T) {
			t.Parallel()
			h := ctxHarness(t, ctxPath)
			h.prov.obtain = func(prev *tokenstore.Record, login bool) (*tokenstore.Record, error) {
				return minted("tok-ctx-1234", 2*time.Hour), nil
			}
			// git sends no path without useHttpPath: not ours.
			if stdout, stderr, _ := h.run("protocol=https\nhost="+ctxHost+"\n", nil, "get"); stdout != "" || stderr != "" {
				t.Errorf("get without a path: stdout %q stderr %q; want nothing", stdout, stderr)
			}
			stdout, stderr, _ := h.run(ctxRequest(ctxPath+"/scm/proj/widgets.git"), nil, "get")
			if !strings.Contains(stdout, "password=tok-ctx-1234") {
				t.Fatalf("get: stdout %q stderr %q", stdout, stderr)
			}
			if n := h.prov.callCount(); n != 1 {
				t.Fatalf("provider called %d times, want 1", n)
			}
			if got, want := h.prov.envs[0].Remote.String(), "https://"+ctxHost+"/"+ctxPath; got != want {
				t.Errorf("Env.Remote = %s, want %s", got, want)
			}
			if got := h.prov.envs[0].Settings.ConsumerKey; got != "link-1" {
				t.Errorf("settings not read for the context path: consumer key %q", got)
			}
			recs := h.records()
			if len(recs) != 1 {
				t.Fatalf("%d records, want 1", len(recs))
			}
			if diff := cmp.Diff(tokenstore.Key{Protocol: "https", Host: ctxHost, Path: ctxPath}, recs[0].Key); diff != "" {
				t.Errorf("store key (-want +got):\n%s", diff)
			}
			// Another repository of the same remote: the same token, from
			// the fast path.
			h.app.Git = "/nonexistent/git"
			stdout, _, _ = h.run(ctxRequest(ctxPath+"/scm/proj/other.git"), nil, "get")
			if !strings.Contains(stdout, "password=tok-ctx-1234") || h.prov.callCount() != 1 {
				t.Errorf("second repository: stdout %q, provider calls %d", stdout, h.prov.callCount())
			}
		})
	}
}

// TestContextPathWithoutScm: a path with no "scm/" (a Cloud workspace
// configured on its own) is keyed by the configured URL's path.
func TestContextPathWithoutScm(t *testing.T) {
	t.Parallel()
	h := ctxHarness(t, "team")
	h.prov.obtain = func(prev *tokenstore.Record, login bool) (*tokenstore.Record, error) {
		return minted("tok-team-1234", 2*time.Hour), nil
	}
	stdout, stderr, _ := h.run(ctxRequest("team/widgets.git"), nil, "get")
	if !strings.Contains(stdout, "password=tok-team-1234") {
		t.Fatalf("get: stdout %q stderr %q", stdout, stderr)
	}
	if recs := h.records(); len(recs) != 1 || recs[0].Key.Path != "team" {
		t.Errorf("records %v, want one kept for path team", recs)
	}
	if stdout, _, _ := h.run(ctxRequest("elsewhere/widgets.git"), nil, "get"); stdout != "" {
		t.Errorf("a path outside the configured one got %q", stdout)
	}
}

// TestContextPathCommands: logout, erase, status, token and login given
// the remote's URL find its settings and its record; logout and erase
// revoke the minted token.
func TestContextPathCommands(t *testing.T) {
	t.Parallel()
	remote := "https://" + ctxHost + "/bitbucket"
	stored := func() *tokenstore.Record {
		r := minted("tok-ctx-1234", time.Hour)
		r.Key = tokenstore.Key{Protocol: "https", Host: ctxHost, Path: "bitbucket"}
		return r
	}
	t.Run("logout", func(t *testing.T) {
		t.Parallel()
		for _, u := range []string{remote, remote + "/scm/proj/widgets.git", "https://" + ctxHost} {
			h := ctxHarness(t, "bitbucket")
			h.put(stored())
			stdout, stderr, code := h.run("", nil, "logout", u)
			if code != 0 || !strings.Contains(stdout, "Logged out") {
				t.Errorf("logout %s: exit %d stdout %q stderr %q", u, code, stdout, stderr)
			}
			if diff := cmp.Diff([]string{"tok-ctx-1234"}, h.prov.revoked); diff != "" {
				t.Errorf("logout %s: revoked (-want +got):\n%s", u, diff)
			}
			if recs := h.records(); len(recs) != 0 {
				t.Errorf("logout %s: %d records remain", u, len(recs))
			}
		}
		h := ctxHarness(t, "bitbucket")
		h.put(stored())
		if stdout, _, _ := h.run("", nil, "logout", "https://"+ctxHost+"/other"); !strings.Contains(stdout, "No tokens") || len(h.records()) != 1 {
			t.Errorf("logout of another context path: %q, %d records", stdout, len(h.records()))
		}
	})
	t.Run("erase", func(t *testing.T) {
		t.Parallel()
		h := ctxHarness(t, "bitbucket")
		h.put(stored())
		h.run(ctxRequest("bitbucket/scm/proj/widgets.git", "username=svc-ci", "password=tok-ctx-1234"), nil, "erase")
		if diff := cmp.Diff([]string{"tok-ctx-1234"}, h.prov.revoked); diff != "" {
			t.Errorf("revoked (-want +got):\n%s", diff)
		}
		if recs := h.records(); len(recs) != 1 || recs[0].AccessToken != "" {
			t.Errorf("after erase: %v", recs)
		}
	})
	t.Run("status and token", func(t *testing.T) {
		t.Parallel()
		h := ctxHarness(t, "bitbucket")
		h.prov.accountN = "CI service (svc-ci)"
		h.put(stored())
		stdout, _, code := h.run("", nil, "status", remote)
		if code != 0 || !strings.Contains(stdout, remote+"\n") || !strings.Contains(stdout, "account:       CI service (svc-ci)") {
			t.Errorf("status: exit %d\n%s", code, stdout)
		}
		stdout, stderr, code := h.run("", nil, "token", remote)
		if code != 0 || stdout != "tok-ctx-1234\n" {
			t.Errorf("token: exit %d stdout %q stderr %q", code, stdout, stderr)
		}
	})
	t.Run("login", func(t *testing.T) {
		t.Parallel()
		h := ctxHarness(t, "bitbucket")
		h.prov.obtain = func(prev *tokenstore.Record, login bool) (*tokenstore.Record, error) {
			return minted("tok-login-1234", time.Hour), nil
		}
		stdout, stderr, code := h.run("", nil, "login", remote)
		if code != 0 || !strings.Contains(stdout, "Logged in to "+remote) {
			t.Errorf("login: exit %d stdout %q stderr %q", code, stdout, stderr)
		}
		if recs := h.records(); len(recs) != 1 || recs[0].Key.Path != "bitbucket" {
			t.Errorf("after login: %v", recs)
		}
	})
	t.Run("login hint", func(t *testing.T) {
		t.Parallel()
		h := ctxHarness(t, "bitbucket")
		h.prov.obtain = func(prev *tokenstore.Record, login bool) (*tokenstore.Record, error) {
			return nil, fmt.Errorf("no consent yet: %w", auth.ErrInteractionRequired)
		}
		stdout, stderr, _ := h.run(ctxRequest("bitbucket/scm/proj/widgets.git"), []string{"GIT_TERMINAL_PROMPT=0"}, "get")
		if !strings.Contains(stdout, "quit=1") || !strings.Contains(stderr, "run: git-credential-bitbucket login "+remote+"\n") {
			t.Errorf("stdout %q stderr %q; want quit and the login hint with the context path", stdout, stderr)
		}
	})
}

// TestConfigureContextPath: a URL with a path also turns on
// credential.<url>.useHttpPath; a clone URL is cut to its context path.
func TestConfigureContextPath(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, url, grant, wantRemote string
		wantHTTPPath                 bool
	}{
		{"context path", "http://127.0.0.1:7990/bitbucket", "oauth1-2lo", "http://127.0.0.1:7990/bitbucket", true},
		{"clone URL", "http://127.0.0.1:7990/ctx/scm/proj/widgets.git", "oauth2", "http://127.0.0.1:7990/ctx", true},
		{"origin", "http://127.0.0.1:7990", "oauth1-2lo", "http://127.0.0.1:7990", false},
		{"cloud workspace", "https://bitbucket.org/acme", "client-credentials", "https://bitbucket.org/acme", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.app.Executable = "/opt/bin/git-credential-bitbucket"
			h.app.LookPath = func(string) (string, error) { return "", exec.ErrNotFound }
			stdout, stderr, code := h.run("", nil, "configure", tt.url, "--grant", tt.grant, "--consumer-key", "k", "--client-id", "c")
			if code != 0 || !strings.Contains(stdout, "Configured "+tt.wantRemote+":") {
				t.Fatalf("configure: exit %d stdout %q stderr %q", code, stdout, stderr)
			}
			get := func(key string) string {
				cmd := exec.Command("git", "config", "--global", "--get-urlmatch", key, tt.wantRemote+"/scm/proj/widgets.git")
				cmd.Env = h.env
				out, _ := cmd.Output()
				return strings.TrimSpace(string(out))
			}
			if got, want := get("credential.useHttpPath"), map[bool]string{true: "true"}[tt.wantHTTPPath]; got != want {
				t.Errorf("credential.useHttpPath = %q, want %q", got, want)
			}
			if got := get("bitbucket.grant"); got != tt.grant {
				t.Errorf("bitbucket.grant = %q, want %q", got, tt.grant)
			}
			cfg, _ := os.ReadFile(filepath.Join(h.dir, "gitconfig"))
			if !strings.Contains(string(cfg), `[bitbucket "`+tt.wantRemote+`"]`) {
				t.Errorf("settings not keyed by %s:\n%s", tt.wantRemote, cfg)
			}
		})
	}
}

// TestContextPathDotSegments: a path that climbs out of the configured
// context path (plain or percent-encoded dot segments) gets no token, from
// the fast path or the slow one, and one line; the old code answered with
// the /bitbucket token (string prefix match).
func TestContextPathDotSegments(t *testing.T) {
	t.Parallel()
	for _, path := range []string{
		"bitbucket/../other/scm/proj/widgets.git",
		"bitbucket/%2e%2e/other/scm/proj/widgets.git",
		"bitbucket/%2E%2e/other/scm/proj/widgets.git",
		"bitbucket/%252e%252e/other/scm/proj/widgets.git",
		"bitbucket/./scm/proj/widgets.git",
		`bitbucket\..\other/scm/proj/widgets.git`,
	} {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			h := ctxHarness(t, "bitbucket")
			r := minted("tok-ctx-1234", 2*time.Hour)
			r.Key = tokenstore.Key{Protocol: "https", Host: ctxHost, Path: "bitbucket"}
			h.put(r)
			h.prov.obtain = func(prev *tokenstore.Record, login bool) (*tokenstore.Record, error) {
				return minted("tok-ctx-5678", 2*time.Hour), nil
			}
			stdout, stderr, _ := h.run(ctxRequest(path), nil, "get")
			if stdout != "" || h.prov.callCount() != 0 {
				t.Errorf("get %s: stdout %q, provider calls %d; want nothing", path, stdout, h.prov.callCount())
			}
			if !strings.Contains(stderr, "dot segments") || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
				t.Errorf("stderr %q, want one line about dot segments", stderr)
			}
		})
	}
	if err := checkContextPath("bitbucket/scm/proj/a..b.git"); err != nil {
		t.Errorf("a name with dots refused: %v", err)
	}
}
