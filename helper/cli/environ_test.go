package cli

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestBrowserOpener(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	out := filepath.Join(dir, "args")
	script := filepath.Join(dir, "browser")
	if err := os.WriteFile(script, []byte("#!/bin/sh\necho \"$@\" > "+out+".tmp && mv "+out+".tmp "+out+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		browser string
		want    string
	}{
		{script, "https://example.test/a?b=c"},
		{"/nonexistent/browser:" + script + " --new-window", "--new-window https://example.test/a?b=c"},
		{script + " --url=%s --x", "--url=https://example.test/a?b=c --x"},
	}
	for _, tt := range tests {
		os.Remove(out)
		open := browserOpener(environ{"BROWSER=" + tt.browser, "PATH=" + os.Getenv("PATH")})
		if err := open("https://example.test/a?b=c"); err != nil {
			t.Errorf("BROWSER=%q: %v", tt.browser, err)
			continue
		}
		// The browser runs in the background: wait (up to 10s on a loaded
		// machine) until it has written the whole line.
		var got []byte
		for i := 0; i < 1000; i++ {
			if b, err := os.ReadFile(out); err == nil && strings.HasSuffix(string(b), "\n") {
				got = b
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		if strings.TrimSpace(string(got)) != tt.want {
			t.Errorf("BROWSER=%q: browser got %q, want %q", tt.browser, got, tt.want)
		}
	}
	if err := browserOpener(environ{"BROWSER=/nonexistent/a:/nonexistent/b"})("https://x"); err == nil {
		t.Error("no error when no browser could be started")
	}
	if err := browserOpener(environ{"PATH=/usr/bin"})("https://x"); err == nil && runtime.GOOS == "linux" {
		t.Error("no error without $BROWSER and without a graphical session")
	}
}

func TestTerminalPromptOff(t *testing.T) {
	t.Parallel()
	for env, want := range map[string]bool{"": false, "GIT_TERMINAL_PROMPT=0": true, "GIT_TERMINAL_PROMPT=false": true,
		"GIT_TERMINAL_PROMPT=1": false, "GIT_TERMINAL_PROMPT=": false} {
		if got := (environ{env}).terminalPromptOff(); got != want {
			t.Errorf("%q: %v, want %v", env, got, want)
		}
	}
}

func TestPlatformBrowser(t *testing.T) {
	t.Parallel()
	want := map[string][]string{
		"darwin":  {"open"},
		"windows": {"rundll32", "url.dll,FileProtocolHandler"},
	}[runtime.GOOS]
	if want == nil {
		want = []string{"xdg-open"}
		if _, err := browserCommands(environ{}); err == nil {
			t.Errorf("no DISPLAY and no $BROWSER: got a browser, want the paste flow")
		}
	}
	cands, err := browserCommands(environ{"DISPLAY=:0"})
	if err != nil || len(cands) != 1 || strings.Join(cands[0], " ") != strings.Join(want, " ") {
		t.Errorf("platform browser on %s: %q, %v; want %q", runtime.GOOS, cands, err, want)
	}
	// $BROWSER comes first on every platform.
	cands, err = browserCommands(environ{"DISPLAY=:0", "BROWSER=firefox --new-tab:lynx"})
	if err != nil || len(cands) != 2 || cands[0][0] != "firefox" || cands[1][0] != "lynx" {
		t.Errorf("$BROWSER: %q, %v", cands, err)
	}
	if got := browserArgs([]string{"rundll32", "url.dll,FileProtocolHandler"}, "https://x/?a=1&b=2"); strings.Join(got, " ") != "url.dll,FileProtocolHandler https://x/?a=1&b=2" {
		t.Errorf("browserArgs = %q", got)
	}
}
