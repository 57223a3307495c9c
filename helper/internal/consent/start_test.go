package consent

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestStartURLSingleUse: the browser is given a loopback start URL that
// holds nothing of the authorize URL; its first GET redirects there, any
// later request (a second process that read it from ps) gets 404, and a
// guessed start path gets 404 too. The callback itself still works.
func TestStartURLSingleUse(t *testing.T) {
	t.Parallel()
	cb, err := Listen(nil, "", "/cb")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cb.Close)
	cb.Serve(StateIs("S-good"))
	const target = "https://bitbucket.example/site/oauth2/authorize?state=S-good&code_challenge=CH"
	var opened string
	if err := cb.Open(func(u string) error { opened = u; return nil }, target); err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^http://127\.0\.0\.1:[0-9]+/start/[A-Za-z0-9_-]{32}$`).MatchString(opened) ||
		strings.Contains(opened, "S-good") || strings.Contains(opened, "CH") {
		t.Fatalf("the browser got %q", opened)
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(u string) *http.Response {
		resp, err := c.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	base := strings.TrimSuffix(cb.URL, "/cb")
	if r := get(base + "/start/guessed"); r.StatusCode != http.StatusNotFound {
		t.Errorf("guessed start path: %d", r.StatusCode)
	}
	if r := get(opened); r.StatusCode != http.StatusFound || r.Header.Get("Location") != target {
		t.Errorf("first visit: %d to %q", r.StatusCode, r.Header.Get("Location"))
	}
	if r := get(opened); r.StatusCode != http.StatusNotFound || r.Header.Get("Location") != "" {
		t.Errorf("second visit: %d to %q, want 404", r.StatusCode, r.Header.Get("Location"))
	}
	if r := get(cb.URL + "?code=c&state=S-good"); r.StatusCode != http.StatusOK {
		t.Errorf("callback: %d", r.StatusCode)
	}
}

// TestBrowserEnv: the browser's environment keeps everything but the
// helper's own settings, whatever their case.
func TestBrowserEnv(t *testing.T) {
	t.Parallel()
	in := []string{"HOME=/h", "GIT_CREDENTIAL_BITBUCKET_CLIENT_SECRET=s3cret", "DISPLAY=:0",
		"git_credential_bitbucket_client_secret=s3cret", "GIT_CREDENTIAL_BITBUCKETX=keep", "PATH=/bin"}
	got := BrowserEnv(in)
	want := []string{"HOME=/h", "DISPLAY=:0", "GIT_CREDENTIAL_BITBUCKETX=keep", "PATH=/bin"}
	if !slices.Equal(got, want) {
		t.Errorf("BrowserEnv = %q, want %q", got, want)
	}
}

// TestBrowserArgvAndEnvironment starts a real "browser" process (a shell
// script that records its argv and environment) the way the CLI does,
// through Open and BrowserEnv, and reads what it saw.
func TestBrowserArgvAndEnvironment(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out := filepath.Join(dir, "seen")
	script := filepath.Join(dir, "browser")
	if err := os.WriteFile(script, []byte("#!/bin/sh\n{ echo \"$@\"; env; } > "+out+"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	cb, err := Listen(nil, "", "/cb")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cb.Close)
	cb.Serve(StateIs("S-secret-state"))
	environ := append(os.Environ(), "GIT_CREDENTIAL_BITBUCKET_CLIENT_SECRET=consumer-s3cret")
	err = cb.Open(func(u string) error {
		cmd := exec.Command(script, u)
		cmd.Env = BrowserEnv(environ)
		return cmd.Run()
	}, "https://bb.example/authorize?state=S-secret-state&code_challenge=PKCE-CH")
	if err != nil {
		t.Fatal(err)
	}
	seen, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"S-secret-state", "PKCE-CH", "consumer-s3cret", "GIT_CREDENTIAL_BITBUCKET_"} {
		if strings.Contains(string(seen), secret) {
			t.Errorf("the browser process saw %q", secret)
		}
	}
	if !strings.Contains(string(seen), "/start/") {
		t.Errorf("the browser's argv holds no start URL:\n%s", seen)
	}
}
