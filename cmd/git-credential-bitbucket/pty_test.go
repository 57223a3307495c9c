//go:build linux || darwin

package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/bbcred/git-credential-bitbucket/helper/cli"
	"github.com/bbcred/git-credential-bitbucket/mockserver"
	"github.com/bbcred/git-credential-bitbucket/mockserver/mocktest"
)

// TestLoginCtrlCOnATerminal: login runs on a real terminal (a pty, its
// controlling terminal, /dev/tty), shows the URL and the waiting line
// there, and Ctrl-C typed on it ends the login: exit status 130, the
// waiting line cleared, one line, nothing stored.
func TestLoginCtrlCOnATerminal(t *testing.T) {
	t.Parallel()
	helper, err := exec.LookPath("git-credential-bitbucket") // this test binary, set up by testscript.Main
	if err != nil {
		t.Skipf("no helper on PATH: %v", err)
	}
	mock := mocktest.StartForTest(t, mockserver.Options{AutoApprove: true})
	dir := t.TempDir()
	secretFile := filepath.Join(dir, "secret")
	if err := os.WriteFile(secretFile, []byte("mock-private-secret-TEST-ONLY\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	store := filepath.Join(dir, "state")
	env := []string{
		"HOME=" + dir, "PATH=" + os.Getenv("PATH"), "GIT_CONFIG_NOSYSTEM=1",
		"XDG_STATE_HOME=" + store, "XDG_CONFIG_HOME=" + filepath.Join(dir, "config"),
		"BROWSER=false", // "opens", shows nothing
		"GORACE=atexit_sleep_ms=0",
	}
	var out, errOut bytes.Buffer
	if code := (&cli.App{}).Run([]string{"configure", mock.CloudURL, "--grant", "authorization-code", "--kind", "cloud",
		"--client-id", "mock-private", "--client-secret-file", secretFile}, strings.NewReader(""), &out, &errOut, env); code != 0 {
		t.Fatalf("configure: exit %d: %s%s", code, out.String(), errOut.String())
	}

	cmd := exec.Command(helper, "login", mock.CloudURL)
	// The script rig's terminal is the real one here: /dev/tty, the pty.
	cmd.Env = append(env, ttyInEnv+"=/dev/tty", ttyOutEnv+"=/dev/tty")
	tty, err := pty.Start(cmd) // a new session with the pty as its controlling terminal
	if err != nil {
		t.Skipf("no pty here: %v", err)
	}
	defer tty.Close()
	var mu sync.Mutex
	var screen bytes.Buffer
	go func() {
		b := make([]byte, 4096)
		for {
			n, err := tty.Read(b)
			mu.Lock()
			screen.Write(b[:n])
			mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	seen := func(s string) bool {
		mu.Lock()
		defer mu.Unlock()
		return strings.Contains(screen.String(), s)
	}
	deadline := time.Now().Add(20 * time.Second)
	for !seen("Waiting for the authorization: 3m0s left.") {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("no waiting line on the terminal:\n%q", screen.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := tty.Write([]byte{3}); err != nil { // Ctrl-C: the terminal sends SIGINT
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("login still runs after Ctrl-C:\n%q", screen.String())
	}
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Errorf("exit: %v, want status 130", err)
	}
	for !seen("interrupted") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	mu.Lock()
	got := screen.String()
	mu.Unlock()
	for _, want := range []string{
		"To log in to " + mock.CloudURL + ", open this URL in a browser:",
		"Waiting up to 3m0s; or paste here the address the browser was sent to (or the code) and press Enter. Ctrl-C stops.",
		"\r\x1b[Kgit-credential-bitbucket: login: interrupted; nothing was stored for " + mock.CloudURL,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("terminal lacks %q:\n%q", want, got)
		}
	}
	if n := strings.Count(got, "interrupted"); n != 1 {
		t.Errorf("%d interrupted lines, want 1", n)
	}
	if b, err := os.ReadFile(filepath.Join(store, "git-credential-bitbucket", "tokens.json")); err == nil && strings.Contains(string(b), "access_token") {
		t.Errorf("a token was stored: %s", b)
	}
}
