package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMalformedGitconfigNamed: with a ~/.gitconfig git cannot parse, the
// user commands that name a remote report git's complaint (the bad line),
// as get does for bitbucket.org, instead of "not configured".
func TestMalformedGitconfigNamed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		args []string
		want int
	}{
		{"token", []string{"token", "https://git.corp.test/bitbucket"}, exitFail},
		{"login", []string{"login", "https://git.corp.test"}, exitFail},
		{"token for bitbucket.org", []string{"token"}, exitFail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			bad := "[bitbucket \"https://git.corp.test\"]\n\tkind = server\n[broken\n"
			if err := os.WriteFile(filepath.Join(h.dir, "gitconfig"), []byte(bad), 0o600); err != nil {
				t.Fatal(err)
			}
			_, stderr, code := h.run("", []string{"GIT_TERMINAL_PROMPT=0"}, tt.args...)
			if code != tt.want {
				t.Errorf("exit %d, want %d", code, tt.want)
			}
			if strings.Contains(stderr, "is not configured as a Bitbucket remote") || !strings.Contains(stderr, "line 3") ||
				strings.Count(stderr, "\n") != 1 {
				t.Errorf("stderr %q: want one line naming the bad config line 3", stderr)
			}
		})
	}
}
