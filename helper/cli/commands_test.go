package cli

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

func TestUnknownOperationsAreSilent(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for _, op := range []string{"capability", "foo", "approve", "fill"} {
		stdout, stderr, code := h.run(request(), nil, op)
		if stdout != "" || stderr != "" || code != 0 {
			t.Errorf("%s: stdout %q stderr %q exit %d; want nothing, 0", op, stdout, stderr, code)
		}
	}
}

func TestHelp(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	for cmd := range commandHelp {
		for _, args := range [][]string{{cmd, "--help"}, {cmd, "-h"}, {"help", cmd}} {
			stdout, stderr, code := h.run("", nil, args...)
			if code != 0 || stderr != "" || !strings.HasPrefix(stdout, "usage: git-credential-bitbucket "+cmd) {
				t.Errorf("%v: exit %d stderr %q stdout %q", args, code, stderr, stdout)
			}
		}
	}
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		stdout, _, code := h.run("", nil, args...)
		if code != 0 || !strings.Contains(stdout, "configure URL --grant G") {
			t.Errorf("%v: exit %d stdout %q", args, code, stdout)
		}
	}
	if _, stderr, code := h.run("", nil); code != exitUsage || !strings.HasPrefix(stderr, "usage:") {
		t.Errorf("no arguments: exit %d stderr %q; want usage, 2", code, stderr)
	}
	if stdout, _, code := h.run("", nil, "version"); code != 0 || !strings.HasPrefix(stdout, "git-credential-bitbucket test (commit ") {
		t.Errorf("version: exit %d stdout %q", code, stdout)
	}
}

func TestTraceIsRedacted(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.put(record("tok-expired-1234", "rt-stored-5678", -time.Hour))
	h.prov.obtain = func(prev *tokenstore.Record, login bool) (*tokenstore.Record, error) {
		return record("tok-fresh-9999", "rt-rotated-0000", 2*time.Hour), nil
	}
	trace := filepath.Join(h.dir, "trace.log")
	secrets := []string{"tok-expired-1234", "rt-stored-5678", "tok-fresh-9999", "rt-rotated-0000", "rt-forwarded-1111"}
	for _, env := range [][]string{{"GIT_CREDENTIAL_BITBUCKET_TRACE=1"}, {"GIT_CREDENTIAL_BITBUCKET_TRACE=" + trace}} {
		_, stderr, _ := h.run(request("oauth_refresh_token=rt-forwarded-1111"), env, "get")
		h.run(request("password=tok-fresh-9999"), env, "erase")
		noSecrets(t, "stderr", stderr, secrets...)
	}
	b, err := os.ReadFile(trace)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "trace:") {
		t.Errorf("trace file has no trace lines:\n%s", b)
	}
	noSecrets(t, "trace", string(b), secrets...)
}

func TestRedactor(t *testing.T) {
	t.Parallel()
	r := &redactor{}
	r.add("abc", "secret-token", "secret-token-longer", "")
	got := r.redact("a secret-token-longer and a secret-token and abc")
	if want := "a [redacted] and a [redacted] and abc"; got != want {
		t.Errorf("redact = %q, want %q", got, want)
	}
}

func TestTokenCommand(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.put(record("tok-valid-123", "rt-1", time.Hour))
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"token", "https://" + testHost}, "tok-valid-123\n"},
		{[]string{"token", "https://" + testHost, "--header"}, "Authorization: Bearer tok-valid-123\n"},
		{[]string{"token", "--header", "https://" + testHost}, "Authorization: Bearer tok-valid-123\n"},
	} {
		stdout, stderr, code := h.run("", nil, tt.args...)
		if stdout != tt.want || code != 0 {
			t.Errorf("%v: stdout %q stderr %q exit %d", tt.args, stdout, stderr, code)
		}
	}
	if _, stderr, code := h.run("", nil, "token", "https://example.com"); code != exitFail || !strings.Contains(stderr, "not configured") {
		t.Errorf("token for a foreign host: exit %d stderr %q", code, stderr)
	}
}

func TestStatusAndLogout(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.prov.accountN = "alice"
	h.put(record("tok-valid-123", "rt-secret-1", time.Hour))
	stdout, stderr, code := h.run("", nil, "status", "https://"+testHost)
	if code != 0 || !strings.Contains(stdout, "account:       alice") || !strings.Contains(stdout, "grant:         client-credentials") ||
		!strings.Contains(stdout, "refresh token: stored") || !strings.Contains(stdout, "valid until") {
		t.Errorf("status: exit %d stderr %q stdout:\n%s", code, stderr, stdout)
	}
	noSecrets(t, "status", stdout+stderr, "tok-valid-123", "rt-secret-1")

	stdout, stderr, code = h.run("", nil, "logout", "https://"+testHost)
	if code != 0 || !strings.Contains(stdout, "Logged out") {
		t.Errorf("logout: exit %d stdout %q stderr %q", code, stdout, stderr)
	}
	if recs := h.records(); len(recs) != 0 {
		t.Errorf("after logout %d records remain", len(recs))
	}
	if len(h.prov.revoked) != 1 {
		t.Errorf("revoked %d records, want 1", len(h.prov.revoked))
	}
}

func TestLoginForcesTheFlow(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.put(record("tok-valid-123", "rt-1", time.Hour))
	var sawLogin bool
	h.prov.obtain = func(prev *tokenstore.Record, login bool) (*tokenstore.Record, error) {
		sawLogin = login
		return record("tok-new-456", "rt-2", 2*time.Hour), nil
	}
	stdout, stderr, code := h.run("", []string{"GIT_TERMINAL_PROMPT=0"}, "login", "https://"+testHost)
	if code != 0 || !sawLogin || !strings.Contains(stdout, "Logged in") {
		t.Errorf("login: exit %d login=%v stdout %q stderr %q", code, sawLogin, stdout, stderr)
	}
	if !h.prov.envs[0].Interactive {
		t.Error("login was not interactive")
	}
	if recs := h.records(); len(recs) != 1 || recs[0].AccessToken != "tok-new-456" {
		t.Errorf("after login: %v", recs)
	}
}

func TestConfigure(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.app.Executable = "/opt/bin/git-credential-bitbucket"
	h.app.LookPath = func(string) (string, error) { return "", exec.ErrNotFound }
	remote := "https://bitbucket.example.test"
	stdout, stderr, code := h.run("s3cret-value\n", nil, "configure", remote, "--kind", "cloud", "--grant", "client-credentials",
		"--client-id", "my-consumer", "--client-secret-stdin", "--scopes", "repository:write")
	if code != 0 {
		t.Fatalf("configure: exit %d stdout %q stderr %q", code, stdout, stderr)
	}
	cfg, err := os.ReadFile(filepath.Join(h.dir, "gitconfig"))
	if err != nil {
		t.Fatal(err)
	}
	noSecrets(t, "git config", string(cfg), "s3cret-value")
	noSecrets(t, "output", stdout+stderr, "s3cret-value")
	for _, want := range []string{
		`[bitbucket "https://bitbucket.example.test"]`, "grant = client-credentials", "clientId = my-consumer",
		"kind = cloud", "scopes = repository:write", "clientSecretFile = ",
		`[credential "https://bitbucket.example.test"]`, "helper = /opt/bin/git-credential-bitbucket",
	} {
		if !strings.Contains(string(cfg), want) {
			t.Errorf("git config lacks %q:\n%s", want, cfg)
		}
	}
	secretFile := filepath.Join(h.dir, "config", "git-credential-bitbucket", "bitbucket.example.test.client-secret")
	fi, err := os.Stat(secretFile)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("secret file mode %v, want 0600", fi.Mode().Perm())
	}
	// Running it again adds no helper line: the reset and ours.
	h.run("s3cret-value\n", nil, "configure", remote, "--kind", "cloud", "--grant", "client-credentials", "--client-id", "my-consumer", "--client-secret-stdin")
	cfg, _ = os.ReadFile(filepath.Join(h.dir, "gitconfig"))
	if n := strings.Count(string(cfg), "helper = "); n != 2 || !strings.Contains(string(cfg), "helper = \n\thelper = /opt/bin/") {
		t.Errorf("%d helper lines after configuring twice:\n%s", n, cfg)
	}

	for _, args := range [][]string{
		{"configure"},
		{"configure", remote},
		{"configure", remote, "--grant", "implicit"},
		{"configure", remote, "--grant", "jwt", "--kind", "mainframe"},
		{"configure", "ftp://x", "--grant", "jwt"},
	} {
		if _, stderr, code := h.run("", nil, args...); code != exitUsage || stderr == "" {
			t.Errorf("%v: exit %d stderr %q; want a usage error", args, code, stderr)
		}
	}
}

func TestConfigureHelperOnPath(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	exe := filepath.Join(h.dir, "git-credential-bitbucket")
	if err := os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	h.app.Executable = exe
	h.app.LookPath = func(string) (string, error) { return exe, nil }
	if _, stderr, code := h.run("", nil, "configure", "https://bitbucket.org", "--grant", "authorization-code", "--client-id", "c"); code != 0 {
		t.Fatalf("exit %d stderr %q", code, stderr)
	}
	cfg, _ := os.ReadFile(filepath.Join(h.dir, "gitconfig"))
	if !strings.Contains(string(cfg), "helper = bitbucket\n") {
		t.Errorf("helper is not the short name:\n%s", cfg)
	}
}

// TestConfigureNamesTheFastFront: with git-credential-bitbucket-fast
// installed beside this binary, credential.<url>.helper names the front
// (by its short name when PATH finds that very file, else by its path),
// so that git's every get starts the small program.
func TestConfigureNamesTheFastFront(t *testing.T) {
	t.Parallel()
	for _, onPath := range []bool{true, false} {
		h := newHarness(t)
		exe := filepath.Join(h.dir, "git-credential-bitbucket")
		front := filepath.Join(h.dir, "git-credential-bitbucket-fast")
		for _, p := range []string{exe, front} {
			if err := os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		h.app.Executable = exe
		h.app.LookPath = func(name string) (string, error) {
			if onPath && name == "git-credential-bitbucket-fast" {
				return front, nil
			}
			return "", errors.New("not found")
		}
		if _, stderr, code := h.run("", nil, "configure", "https://bitbucket.org", "--grant", "authorization-code", "--client-id", "c"); code != 0 {
			t.Fatalf("exit %d stderr %q", code, stderr)
		}
		cfg, _ := os.ReadFile(filepath.Join(h.dir, "gitconfig"))
		want := "helper = " + front + "\n"
		if onPath {
			want = "helper = bitbucket-fast\n"
		}
		if !strings.Contains(string(cfg), want) {
			t.Errorf("on PATH %t: want %q in:\n%s", onPath, want, cfg)
		}
	}
}
