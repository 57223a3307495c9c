package core

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/cgi"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// maxGitBody caps a de-chunked git request body held in memory.
const maxGitBody = 512 << 20

// serveGit runs `git http-backend` for the bare repository at repoDir (an
// absolute path) after the caller's own authentication, with REMOTE_USER set
// to user (anonymous when empty: http-backend then refuses pushes); chunked
// request bodies are de-chunked first (docs/bitbucket-behaviour.md#go-cgi).
// pathInfo is the part of the URL after the repository directory (e.g. "/info/refs").
func (c *Core) ServeGit(w http.ResponseWriter, r *http.Request, repoDir, pathInfo, user string) {
	r = r.Clone(r.Context())
	// The credentials stay with us: git-http-backend would see them as
	// HTTP_AUTHORIZATION otherwise.
	r.Header.Del("Authorization")
	if r.ContentLength < 0 || len(r.TransferEncoding) > 0 {
		body, err := io.ReadAll(io.LimitReader(r.Body, maxGitBody+1))
		if err != nil {
			http.Error(w, "read request body: "+err.Error(), http.StatusBadRequest)
			return
		}
		if len(body) > maxGitBody {
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
		r.TransferEncoding = nil
	}
	env := append(c.gitEnv(),
		"GIT_PROJECT_ROOT="+filepath.Dir(repoDir),
		"PATH_INFO=/"+filepath.Base(repoDir)+pathInfo,
		"GIT_HTTP_EXPORT_ALL=1",
	)
	if user != "" {
		env = append(env, "REMOTE_USER="+user)
	}
	h := &cgi.Handler{
		Path:   c.gitBackend,
		Dir:    c.gitHome,
		Env:    env,
		Stderr: logWriter{c},
	}
	h.ServeHTTP(w, r)
}

// gitEnv is the environment of every git subprocess: no system or global
// configuration, no identity from the host.
func (c *Core) gitEnv() []string {
	return []string{
		"HOME=" + c.gitHome,
		"XDG_CONFIG_HOME=" + filepath.Join(c.gitHome, ".config"),
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL=" + os.DevNull,
		"GIT_AUTHOR_NAME=Bitbucket Mock",
		"GIT_AUTHOR_EMAIL=mock@bitbucket.invalid",
		"GIT_COMMITTER_NAME=Bitbucket Mock",
		"GIT_COMMITTER_EMAIL=mock@bitbucket.invalid",
		"GIT_AUTHOR_DATE=2024-01-01T00:00:00Z",
		"GIT_COMMITTER_DATE=2024-01-01T00:00:00Z",
	}
}

// ensureRepo creates a bare repository at dir with HEAD on main and one
// initial commit holding a README. An existing repository is left alone.
// The first call builds a template repository with git; later ones copy it
// (the commit is the same everywhere: fixed author, committer and dates).
func (c *Core) EnsureRepo(dir string) error {
	if _, err := os.Stat(filepath.Join(dir, "HEAD")); err == nil {
		return nil
	}
	if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
		entries, _ := os.ReadDir(dir)
		if len(entries) > 0 {
			return fmt.Errorf("repository %s: %w", dir, errNotBare)
		}
	}
	tmpl, err := c.repoTemplate()
	if err != nil {
		return fmt.Errorf("create repository %s: %w", dir, err)
	}
	if err := copyTree(tmpl, dir); err != nil {
		os.RemoveAll(dir)
		return fmt.Errorf("create repository %s: %w", dir, err)
	}
	return nil
}

// repoTemplate builds (once per Mock) the bare repository every new
// repository starts as.
func (c *Core) repoTemplate() (string, error) {
	c.tmplMu.Lock()
	defer c.tmplMu.Unlock()
	if c.tmpl != "" {
		return c.tmpl, nil
	}
	dir := filepath.Join(c.gitHome, "template.git")
	os.RemoveAll(dir)
	if _, err := c.git("", nil, "init", "--quiet", "--bare", "--template=", "--initial-branch=main", dir); err != nil {
		return "", err
	}
	readme := "# Repository\n\nServed by bitbucket-mock.\n"
	blob, err := c.git(dir, strings.NewReader(readme), "hash-object", "-w", "--stdin")
	if err != nil {
		return "", err
	}
	tree, err := c.git(dir, strings.NewReader("100644 blob "+blob+"\tREADME.md\n"), "mktree")
	if err != nil {
		return "", err
	}
	commit, err := c.git(dir, nil, "commit-tree", tree, "-m", "Initial commit")
	if err != nil {
		return "", err
	}
	if _, err := c.git(dir, nil, "update-ref", "refs/heads/main", commit); err != nil {
		return "", err
	}
	c.tmpl = dir
	return dir, nil
}

// copyTree copies the directory src to dst (regular files and directories only).
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, info.Mode().Perm())
	})
}

// git runs one git command (in the bare repository gitDir when non-empty)
// and returns its trimmed stdout.
func (c *Core) git(gitDir string, stdin io.Reader, args ...string) (string, error) {
	cmd := exec.Command(c.gitPath, args...)
	cmd.Env = append(hostEnvWithoutGit(), c.gitEnv()...)
	if gitDir != "" {
		cmd.Env = append(cmd.Env, "GIT_DIR="+gitDir)
	}
	cmd.Dir = c.gitHome
	cmd.Stdin = stdin
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git %s: %w: %s", args[0], err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(string(out)), nil
}

// hostEnvWithoutGit is the process environment minus GIT_* variables (a test
// run from a git hook must not point our git at the host repository).
func hostEnvWithoutGit() []string {
	var env []string
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "GIT_") {
			env = append(env, e)
		}
	}
	return env
}

// logWriter sends git-http-backend's stderr to the mock's log.
type logWriter struct{ c *Core }

func (l logWriter) Write(p []byte) (int, error) {
	if s := strings.TrimSpace(string(p)); s != "" {
		l.c.Logf("git-http-backend: %s", s)
	}
	return len(p), nil
}
