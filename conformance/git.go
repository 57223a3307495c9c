package conformance

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func cloudGitURL(c *Cloud, r CloudRepo) string { return c.URL + "/" + r.Path() + ".git" }

func serverGitURL(s *Server, r ServerRepo) string { return s.URL + r.GitPath() }

// infoRefs asks for a smart-HTTP advertisement (docs/bitbucket-behaviour.md#git-http-requests).
func (e *env) infoRefs(t *testing.T, repoURL, service string, hdr ...string) *response {
	t.Helper()
	return e.get(t, repoURL+"/info/refs?service="+service, hdr...)
}

// wantAdvertisement checks a successful info/refs answer.
func wantAdvertisement(t *testing.T, r *response, service string) {
	t.Helper()
	wantStatus(t, r, http.StatusOK)
	if got, want := r.header.Get("Content-Type"), "application/x-"+service+"-advertisement"; got != want {
		t.Errorf("Content-Type = %q, want %q", got, want)
	}
}

// wantChallenge checks a 401 with a Basic challenge in realm (docs/bitbucket-behaviour.md#git-challenge).
func wantChallenge(t *testing.T, r *response, realm string) {
	t.Helper()
	wantStatus(t, r, http.StatusUnauthorized)
	want := `Basic realm="` + realm + `"`
	for _, v := range r.header.Values("WWW-Authenticate") {
		if strings.EqualFold(strings.TrimSpace(v), want) || strings.HasPrefix(strings.TrimSpace(v), want) {
			return
		}
	}
	t.Fatalf("WWW-Authenticate = %q, want %s", r.header.Values("WWW-Authenticate"), want)
}

// gitEnv is an isolated environment for real git: empty HOME, no system
// config, never prompting. The credential comes from a throwaway helper
// reading the environment, so secrets stay out of argv and URLs.
// cfg are extra git config key, value pairs.
func gitEnv(t *testing.T, user, pass string, cfg ...string) []string {
	t.Helper()
	home := t.TempDir()
	env := []string{
		"HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"GIT_CONFIG_NOSYSTEM=1", "GIT_TERMINAL_PROMPT=0", "GIT_ASKPASS=", "SSH_ASKPASS=",
		"GIT_AUTHOR_NAME=Conformance", "GIT_AUTHOR_EMAIL=conformance@example.invalid",
		"GIT_COMMITTER_NAME=Conformance", "GIT_COMMITTER_EMAIL=conformance@example.invalid",
		"PATH=" + os.Getenv("PATH"), "LANG=C",
		"CONFORMANCE_GIT_USER=" + user, "CONFORMANCE_GIT_PASS=" + pass,
	}
	cfg = append([]string{
		"credential.helper", `!f() { test "$1" = get && printf 'username=%s\npassword=%s\n' "$CONFORMANCE_GIT_USER" "$CONFORMANCE_GIT_PASS"; }; f`,
		"init.defaultBranch", "main",
	}, cfg...)
	if user == "" {
		cfg = cfg[2:] // no credentials at all
	}
	for i := 0; i+1 < len(cfg); i += 2 {
		env = append(env, fmt.Sprintf("GIT_CONFIG_KEY_%d=%s", i/2, cfg[i]), fmt.Sprintf("GIT_CONFIG_VALUE_%d=%s", i/2, cfg[i+1]))
	}
	return append(env, fmt.Sprintf("GIT_CONFIG_COUNT=%d", len(cfg)/2))
}

// runGit runs git in dir with env and fails with its (secret-free) output.
func runGit(t *testing.T, dir string, env []string, args ...string) string {
	t.Helper()
	out, err := gitCommand(dir, env, args...)
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

func gitCommand(dir string, env []string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// cloneAndPush clones repoURL, commits a file on a branch of its own and
// pushes it, then checks the branch is on the server with ls-remote.
func cloneAndPush(t *testing.T, repoURL string, env []string) {
	t.Helper()
	dir := t.TempDir()
	runGit(t, dir, env, "clone", "-q", repoURL, "work")
	work := filepath.Join(dir, "work")
	branch := fmt.Sprintf("conformance-%s", randomHex(4))
	runGit(t, work, env, "checkout", "-q", "-b", branch)
	if err := os.WriteFile(filepath.Join(work, "conformance.txt"), []byte(time.Now().String()), 0o644); err != nil {
		t.Fatal(err)
	}
	runGit(t, work, env, "add", "conformance.txt")
	runGit(t, work, env, "commit", "-q", "-m", "conformance")
	runGit(t, work, env, "push", "-q", "origin", branch)
	if out := runGit(t, work, env, "ls-remote", "origin", "refs/heads/"+branch); !strings.Contains(out, branch) {
		t.Fatalf("pushed branch %s not on the server", branch)
	}
}
