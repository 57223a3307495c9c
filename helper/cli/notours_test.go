package cli

import (
	"strings"
	"testing"
)

// TestBadGlobalValueLeavesOtherHostsAlone: a bitbucket.* value gitconfig
// refuses, set globally or in the environment, concerns only remotes we
// serve; a host that is not ours still gets nothing at all (no quit=1,
// which would stop git for every host the helper is registered for).
func TestBadGlobalValueLeavesOtherHostsAlone(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		config []string
		env    []string
	}{
		{name: "global config", config: []string{"bitbucket.timeout", "5x"}},
		{name: "environment", env: []string{"GIT_CREDENTIAL_BITBUCKET_TIMEOUT=5x"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, tt.config...)
			out, errOut, code := h.run("protocol=https\nhost=github.com\n", tt.env, "get")
			if out != "" || errOut != "" || code != 0 {
				t.Errorf("github.com: stdout %q, stderr %q, exit %d; want nothing", out, errOut, code)
			}
			// The remote we serve is misconfigured: quit and say why.
			out, errOut, _ = h.run(request(), tt.env, "get")
			if !strings.Contains(out, "quit=1") || !strings.Contains(strings.ToLower(errOut), "timeout") {
				t.Errorf("configured remote: stdout %q, stderr %q; want quit=1 and the bad setting", out, errOut)
			}
		})
	}
}

// TestUnconfiguredBitbucketOrgDoesNotQuit: with the helper installed but no
// grant chosen, bitbucket.org gets one line on how to configure it and no
// quit, so git still tries its other helpers and its prompt.
func TestUnconfiguredBitbucketOrgDoesNotQuit(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	out, errOut, code := h.run("protocol=https\nhost=bitbucket.org\n", nil, "get")
	if out != "" || code != 0 {
		t.Errorf("stdout %q, exit %d; want no answer and no quit", out, code)
	}
	if strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "configure https://bitbucket.org") {
		t.Errorf("stderr %q; want one line naming configure", errOut)
	}
}

// TestOneLineStripsTerminalControls: server text reaches stderr through
// oneLine; escape sequences (title change, clear screen) must not.
func TestOneLineStripsTerminalControls(t *testing.T) {
	t.Parallel()
	got := oneLine("bad\x1b]0;pwned\x07 request\x1b[2J\nfatal: fake\r\x00\x7f\u0085end")
	if strings.ContainsFunc(got, func(r rune) bool { return r < 0x20 || r == 0x7f || r == 0x85 }) {
		t.Errorf("oneLine kept control characters: %q", got)
	}
	if !strings.HasPrefix(got, "bad ]0;pwned  request [2J fatal: fake") {
		t.Errorf("oneLine = %q", got)
	}
}
