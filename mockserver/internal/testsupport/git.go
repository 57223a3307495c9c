package testsupport

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// GitRunner runs the git on PATH with a private HOME, no system
// configuration and no credential helper, never prompting.
type GitRunner struct {
	t   testing.TB
	env []string
}

// NewGitRunner skips the test when git is not installed.
func NewGitRunner(t testing.TB) *GitRunner {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	home := t.TempDir()
	var env []string
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "GIT_") && !strings.HasPrefix(e, "HOME=") {
			env = append(env, e)
		}
	}
	env = append(env, "HOME="+home, "XDG_CONFIG_HOME="+home, "GIT_CONFIG_NOSYSTEM=1", "GIT_TERMINAL_PROMPT=0",
		"GIT_ASKPASS=", "SSH_ASKPASS=", "GIT_AUTHOR_NAME=Test", "GIT_AUTHOR_EMAIL=test@example.invalid",
		"GIT_COMMITTER_NAME=Test", "GIT_COMMITTER_EMAIL=test@example.invalid")
	return &GitRunner{t: t, env: env}
}

// Run runs git in dir and returns combined output and the error.
func (g *GitRunner) Run(dir string, args ...string) (string, error) {
	g.t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "credential.helper=", "-c", "init.defaultBranch=main"}, args...)...)
	cmd.Dir = dir
	cmd.Env = g.env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// Must is Run, failing the test on error.
func (g *GitRunner) Must(dir string, args ...string) string {
	g.t.Helper()
	out, err := g.Run(dir, args...)
	if err != nil {
		g.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}
