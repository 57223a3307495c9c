package cli

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bbcred/git-credential-bitbucket/helper/auth"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

func TestNotOursIsSilent(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.prov.obtain = func(*tokenstore.Record, bool) (*tokenstore.Record, error) {
		t.Error("provider called for a remote that is not ours")
		return nil, nil
	}
	for _, in := range []string{
		"protocol=https\nhost=example.com\n",
		"protocol=https\nhost=bitbucket.org.evil.com\n",
		"protocol=https\nhost=evilbitbucket.org\n",
		"protocol=cert\nhost=\npath=/etc/cert.pem\n",
		"protocol=smtp\nhost=" + testHost + "\n",
		"protocol=https\nhost=\n",
		"protocol=https\nhost=" + testHost + "@evil.com\n",
	} {
		for _, op := range []string{"get", "store", "erase"} {
			stdout, stderr, code := h.run(in+"username=u\npassword=p\n", nil, op)
			if stdout != "" || stderr != "" || code != 0 {
				t.Errorf("%s %q: stdout %q, stderr %q, exit %d; want nothing, exit 0", op, in, stdout, stderr, code)
			}
		}
	}
}

func TestMalformedRequest(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for _, in := range []string{
		"protocol=https\nhost=" + testHost + "\rhost=evil.com\n",
		"protocol=https\nhost=" + testHost + "\x00\n",
		"protocol=https\nhost" + testHost + "\n",
		"host=" + testHost + "\n",
		"protocol=https\nhost=" + testHost + "\nwwwauth[]=" + strings.Repeat("a", 70000) + "\n",
	} {
		stdout, stderr, code := h.run(in, nil, "get")
		if stdout != "" || code != 0 {
			t.Errorf("%q: stdout %q exit %d; want none, 0", in[:min(len(in), 40)], stdout, code)
		}
		if !strings.HasPrefix(stderr, linePrefix) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%q: stderr %q; want one line starting with %q", in[:min(len(in), 40)], stderr, linePrefix)
		}
	}
}

func TestFastPathNeedsNoGitAndNoProvider(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.app.Git = "/nonexistent/git" // the fast path must not run git
	h.put(record("tok-valid-123", "rt-abc-123", time.Hour))
	stdout, stderr, code := h.run(request(), nil, "get")
	want := fmt.Sprintf("username=x-token-auth\npassword=tok-valid-123\npassword_expiry_utc=%d\n", testNow.Add(time.Hour).Unix())
	if diff := cmp.Diff(want, stdout); diff != "" || stderr != "" || code != 0 {
		t.Errorf("get (-want +got):\n%s\nstderr %q exit %d", diff, stderr, code)
	}
	if n := h.prov.callCount(); n != 0 {
		t.Errorf("provider called %d times on the fast path", n)
	}
}

func TestFastPathMargin(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		left     time.Duration
		recorded time.Duration // margin remembered in the record
		env      []string
		fast     bool
	}{
		{"default margin, plenty left", 10 * time.Minute, 0, nil, true},
		{"default margin, too little left", 4 * time.Minute, 0, nil, false},
		{"remembered margin", 10 * time.Minute, 15 * time.Minute, nil, false},
		{"env margin wins", 10 * time.Minute, 15 * time.Minute, []string{"GIT_CREDENTIAL_BITBUCKET_REFRESH_MARGIN=1m"}, true},
		{"expired", -time.Minute, 0, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var config []string
			if tt.recorded != 0 {
				// what the record remembers came from the config
				config = []string{"bitbucket.https://" + testHost + ".refreshMargin", tt.recorded.String()}
			}
			h := newHarness(t, config...)
			h.app.Git = "/nonexistent/git" // a fast answer must not need git
			rec := record("tok-old-123", "rt-old-123", tt.left)
			rec.RefreshMargin = tt.recorded
			h.put(rec)
			h.prov.obtain = func(prev *tokenstore.Record, login bool) (*tokenstore.Record, error) {
				return record("tok-new-456", "rt-new-456", 2*time.Hour), nil
			}
			stdout, _, _ := h.run(request(), tt.env, "get")
			gotFast := strings.Contains(stdout, "password=tok-old-123")
			if !gotFast {
				// The slow path needs git to read the config.
				h.app.Git = ""
				stdout, _, _ = h.run(request(), tt.env, "get")
				if !strings.Contains(stdout, "password=tok-new-456") {
					t.Errorf("slow path stdout %q, want the new token", stdout)
				}
			}
			if gotFast != tt.fast {
				t.Errorf("fast path = %v, want %v (stdout %q)", gotFast, tt.fast, stdout)
			}
		})
	}
}

func TestGetOutcomes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		err        error
		wantStdout string // "" means none
		wantQuit   bool
		wantStderr string // substring; "" means empty stderr
	}{
		{name: "success", wantStdout: "password=tok-new-456"},
		{name: "interaction required", err: fmt.Errorf("%w: prompting is off", auth.ErrInteractionRequired),
			wantQuit: true, wantStderr: "git-credential-bitbucket login https://" + testHost},
		{name: "misconfigured", err: &auth.ConfigError{Msg: "bitbucket.clientId is not set"},
			wantQuit: true, wantStderr: "bitbucket.clientId is not set"},
		{name: "transient", err: errors.New("refresh: token endpoint answered HTTP 503 (rt-old-123 leaked)"),
			wantStderr: "HTTP 503"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.put(record("tok-old-123", "rt-old-123", -time.Minute))
			h.prov.obtain = func(prev *tokenstore.Record, login bool) (*tokenstore.Record, error) {
				if tt.err != nil {
					return nil, tt.err
				}
				return record("tok-new-456", "rt-new-456", 2*time.Hour), nil
			}
			stdout, stderr, code := h.run(request(), nil, "get")
			if code != 0 {
				t.Errorf("exit %d, want 0", code)
			}
			switch {
			case tt.wantStdout != "" && !strings.Contains(stdout, tt.wantStdout):
				t.Errorf("stdout %q, want %q", stdout, tt.wantStdout)
			case tt.wantStdout == "" && strings.Contains(stdout, "password="):
				t.Errorf("stdout %q has a password", stdout)
			}
			if got := strings.Contains(stdout, "quit=1"); got != tt.wantQuit {
				t.Errorf("quit = %v, want %v (stdout %q)", got, tt.wantQuit, stdout)
			}
			if tt.wantStderr == "" && stderr != "" {
				t.Errorf("stderr %q, want none", stderr)
			}
			if tt.wantStderr != "" {
				if !strings.Contains(stderr, tt.wantStderr) || !strings.HasPrefix(stderr, linePrefix) || strings.Count(stderr, "\n") != 1 {
					t.Errorf("stderr %q, want one line with %q", stderr, tt.wantStderr)
				}
			}
			noSecrets(t, "stderr", stderr, "tok-old-123", "rt-old-123", "tok-new-456", "rt-new-456")
			recs := h.records()
			if len(recs) != 1 {
				t.Fatalf("%d records, want 1", len(recs))
			}
			wantRT := "rt-old-123"
			if tt.err == nil {
				wantRT = "rt-new-456"
			}
			if recs[0].RefreshToken != wantRT {
				t.Errorf("stored refresh token %q, want %q", recs[0].RefreshToken, wantRT)
			}
		})
	}
}

func TestGetPassesPrevAndSettings(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name            string
		config          []string
		env             []string
		in              string
		stored          *tokenstore.Record
		wantRT          string
		wantInteractive bool
		wantUser        string
	}{
		{name: "stored refresh token", in: request(), stored: record("a-1234", "rt-stored", -time.Hour),
			wantRT: "rt-stored", wantInteractive: true},
		{name: "forwarded refresh token when none stored", in: request("oauth_refresh_token=rt-forwarded"),
			wantRT: "rt-forwarded", wantInteractive: true},
		{name: "stored refresh token wins over forwarded", in: request("oauth_refresh_token=rt-forwarded"),
			stored: record("a-1234", "rt-stored", -time.Hour), wantRT: "rt-stored", wantInteractive: true},
		{name: "GIT_TERMINAL_PROMPT=0", in: request(), env: []string{"GIT_TERMINAL_PROMPT=0"}},
		{name: "interactive=never", in: request(), config: []string{"bitbucket.https://" + testHost + ".interactive", "never"}},
		{name: "username", in: request("username=alice"), wantInteractive: true, wantUser: "alice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, tt.config...)
			if tt.stored != nil {
				h.put(tt.stored)
			}
			h.prov.obtain = func(prev *tokenstore.Record, login bool) (*tokenstore.Record, error) {
				return record("tok-new-456", "rt-new-456", 2*time.Hour), nil
			}
			h.run(tt.in, tt.env, "get")
			if h.prov.callCount() != 1 {
				t.Fatalf("provider called %d times, want 1", h.prov.callCount())
			}
			gotRT := ""
			if p := h.prov.prevs[0]; p != nil {
				gotRT = p.RefreshToken
			}
			if gotRT != tt.wantRT {
				t.Errorf("prev refresh token %q, want %q", gotRT, tt.wantRT)
			}
			env := h.prov.envs[0]
			if env.Interactive != tt.wantInteractive {
				t.Errorf("Interactive = %v, want %v", env.Interactive, tt.wantInteractive)
			}
			if env.Username != tt.wantUser {
				t.Errorf("Username = %q, want %q", env.Username, tt.wantUser)
			}
			if env.Remote.String() != "https://"+testHost || env.Settings.Grant != "client-credentials" {
				t.Errorf("Remote %s, grant %q", env.Remote, env.Settings.Grant)
			}
			recs := h.records()
			if len(recs) != 1 || recs[0].RefreshToken != "rt-new-456" || recs[0].Key.Username != tt.wantUser {
				t.Errorf("stored %v, want one record with the new refresh token for user %q", recs, tt.wantUser)
			}
		})
	}
}

func TestGetBearer(t *testing.T) {
	t.Parallel()
	exp := testNow.Add(2 * time.Hour).Unix()
	tests := []struct {
		name   string
		config []string
		in     string
		want   string
	}{
		{"basic by default", nil, request("capability[]=authtype"),
			fmt.Sprintf("username=x-token-auth\npassword=tok-new-456\npassword_expiry_utc=%d\n", exp)},
		{"bearer with capability", []string{"bitbucket.https://" + testHost + ".authtype", "bearer"}, request("capability[]=authtype"),
			fmt.Sprintf("capability[]=authtype\nauthtype=Bearer\ncredential=tok-new-456\nephemeral=1\npassword_expiry_utc=%d\n", exp)},
		{"bearer without capability", []string{"bitbucket.https://" + testHost + ".authtype", "bearer"}, request(),
			fmt.Sprintf("username=x-token-auth\npassword=tok-new-456\npassword_expiry_utc=%d\n", exp)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, tt.config...)
			h.prov.obtain = func(prev *tokenstore.Record, login bool) (*tokenstore.Record, error) {
				return record("tok-new-456", "rt-new-456", 2*time.Hour), nil
			}
			for _, path := range []string{"slow", "fast"} {
				stdout, stderr, _ := h.run(tt.in, nil, "get")
				if diff := cmp.Diff(tt.want, stdout); diff != "" {
					t.Errorf("%s path (-want +got):\n%s\nstderr %q", path, diff, stderr)
				}
			}
			if h.prov.callCount() != 1 {
				t.Errorf("provider called %d times, want 1 (second get on the fast path)", h.prov.callCount())
			}
		})
	}
}

func TestHTTPRefusedExceptLoopback(t *testing.T) {
	t.Parallel()
	h := newHarness(t,
		"bitbucket.http://"+testHost+".kind", "cloud",
		"bitbucket.http://127.0.0.1:7990.kind", "cloud",
		"bitbucket.http://127.0.0.1:7990.grant", "client-credentials")
	h.prov.obtain = func(prev *tokenstore.Record, login bool) (*tokenstore.Record, error) {
		return record("tok-new-456", "rt-new-456", 2*time.Hour), nil
	}
	stdout, stderr, _ := h.run("protocol=http\nhost="+testHost+"\n", nil, "get")
	if stdout != "quit=1\n" || !strings.Contains(stderr, "plain http") {
		t.Errorf("http to a remote host: stdout %q stderr %q; want quit=1 and a refusal", stdout, stderr)
	}
	stdout, stderr, _ = h.run("protocol=http\nhost=127.0.0.1:7990\n", nil, "get")
	if !strings.Contains(stdout, "password=tok-new-456") {
		t.Errorf("http to loopback: stdout %q stderr %q; want the token", stdout, stderr)
	}
}

// TestUnknownKindIsConfigError: a kind nothing serves (a typo, or a
// build without that provider) is a misconfiguration of the remote:
// quit=1 and one clear line, never "not implemented yet".
func TestUnknownKindIsConfigError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		config    []string
		providers bool // only the cloud provider
		wantErr   string
	}{
		{"typo", []string{"bitbucket.https://dc.example.test.kind", "datacentre", "bitbucket.https://dc.example.test.grant", "oauth2"}, false,
			`https://dc.example.test: cannot read the bitbucket settings for https://dc.example.test: invalid bitbucket.kind "datacentre": want one of cloud, server, datacenter`},
		{"no provider", []string{"bitbucket.https://dc.example.test.kind", "datacenter", "bitbucket.https://dc.example.test.grant", "oauth2"}, true,
			`https://dc.example.test: bitbucket.kind "datacenter" for https://dc.example.test is not one of cloud`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, tt.config...)
			if tt.providers {
				h.app.Providers = map[string]auth.Provider{"cloud": h.prov}
			}
			stdout, stderr, _ := h.run("protocol=https\nhost=dc.example.test\n", nil, "get")
			if stdout != "quit=1\n" || !strings.Contains(stderr, tt.wantErr) || strings.Contains(stderr, "not implemented") || strings.Count(stderr, "\n") != 1 {
				t.Errorf("stdout %q stderr %q; want quit=1 and one line containing %q", stdout, stderr, tt.wantErr)
			}
			if n := h.prov.callCount(); n != 0 {
				t.Errorf("provider called %d times", n)
			}
		})
	}
}

// TestFastPathBuildsNoHTTPClient: a get answered from the store does no
// work it does not need; the HTTP client (a tls.Config clone) is built
// only when the slow path hands the provider its environment.
func TestFastPathBuildsNoHTTPClient(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.put(record("tok-fresh-123", "rt-1", time.Hour))
	tests := []struct {
		name, in   string
		wantClient bool
	}{
		{"fast path", request(), false},
		{"not ours", "protocol=https\nhost=other.example.test\n", false},
		{"slow path", "protocol=https\nhost=" + testHost + "\nusername=bob\n", true},
	}
	for _, tt := range tests {
		var stdout, stderr strings.Builder
		r, done := h.app.newRun(strings.NewReader(tt.in), &stdout, &stderr, h.env)
		r.dispatch([]string{"get"})
		done()
		if got := r.http != nil; got != tt.wantClient {
			t.Errorf("%s: HTTP client built %t, want %t (stdout %q, stderr %q)", tt.name, got, tt.wantClient, stdout.String(), stderr.String())
		}
	}
	if n := h.prov.callCount(); n != 1 {
		t.Errorf("provider called %d times, want 1 (the slow path)", n)
	}
}
