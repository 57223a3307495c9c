//go:build linux

package cli

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// TestSecretPromptEchoOff: --client-secret-stdin on a real terminal (a
// pty) prompts on stderr and reads the secret with echo off: what the
// terminal shows never holds it, and the secret file does.
func TestSecretPromptEchoOff(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.app.Executable = "/opt/bin/git-credential-bitbucket"
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pty: %v", err)
	}
	defer ptmx.Close()
	defer tty.Close()
	const secret = "typed-s3cret-TEST-ONLY"
	var stdout, stderr bytes.Buffer
	done := make(chan int, 1)
	go func() {
		done <- h.app.Run([]string{"configure", "https://bitbucket.example.test", "--kind", "cloud", "--grant", "client-credentials",
			"--client-id", "c", "--client-secret-stdin"}, tty, &stdout, &stderr, h.env)
	}()
	// What the terminal echoes back, read while the helper runs.
	shown := make(chan string, 1)
	go func() {
		b, _ := io.ReadAll(ptmx)
		shown <- string(b)
	}()
	// Type only once echo is off (ReadPassword has switched the mode).
	deadline := time.Now().Add(10 * time.Second)
	for {
		st, err := getEcho(tty)
		if err == nil && !st {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("echo never went off")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if _, err := ptmx.Write([]byte(secret + "\r")); err != nil {
		t.Fatal(err)
	}
	var code int
	select {
	case code = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("configure did not finish")
	}
	tty.Close()
	if code != 0 {
		t.Fatalf("configure: exit %d stdout %q stderr %q", code, stdout.String(), stderr.String())
	}
	if !strings.HasPrefix(stderr.String(), "Secret (not shown as you type or paste; Enter to finish): \n") {
		t.Errorf("stderr = %q; want the prompt first", stderr.String())
	}
	select {
	case s := <-shown:
		if strings.Contains(s, secret) {
			t.Errorf("the terminal echoed the secret: %q", s)
		}
	case <-time.After(5 * time.Second):
	}
	b, err := os.ReadFile(filepath.Join(h.dir, "config", "git-credential-bitbucket", "bitbucket.example.test.client-secret"))
	if err != nil || strings.TrimSpace(string(b)) != secret {
		t.Errorf("secret file: %q, %v; want the typed secret", b, err)
	}
}

// getEcho reports whether the terminal echoes input.
func getEcho(tty *os.File) (bool, error) {
	st, err := unix.IoctlGetTermios(int(tty.Fd()), unix.TCGETS)
	if err != nil {
		return false, err
	}
	return st.Lflag&unix.ECHO != 0, nil
}
