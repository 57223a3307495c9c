package datacenter

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/testsupport"
)

// withUser puts user:pass into rawURL (percent-encoded: tokens carry + / =).
func withUser(t *testing.T, rawURL, user, pass string) string {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(user, pass)
	return u.String()
}

func mintToken(t *testing.T, base, slug, pass, body string) string {
	t.Helper()
	status, tok := createToken(t, base, slug, body, basic(slug, pass))
	if status != 200 {
		t.Fatalf("create token: %d %v", status, tok)
	}
	return tok["token"].(string)
}

// The acceptance path: clone and push /scm/proj/widgets.git with a minted
// HTTP access token; after 49 hours the 1-day token is refused.
func TestGitCloneAndPushWithHTTPAccessToken(t *testing.T) {
	t.Parallel()
	run, base := startServer(t, testOptions{}, nil)
	g := testsupport.NewGitRunner(t)
	repoURL := base + "/scm/proj/widgets.git"
	rw := mintToken(t, base, "alice", "alice-test-password", `{"name":"rw","permissions":["REPO_READ","REPO_WRITE"],"expiryDays":1}`)
	ro := mintToken(t, base, "alice", "alice-test-password", `{"name":"ro","permissions":["REPO_READ"]}`)
	bobRW := mintToken(t, base, "bob", "bob-test-password", `{"name":"rw","permissions":["REPO_WRITE"]}`)

	work := filepath.Join(t.TempDir(), "widgets")
	g.Must("", "clone", "--quiet", withUser(t, repoURL, "alice", rw), work)
	if _, err := os.Stat(filepath.Join(work, "README.md")); err != nil {
		t.Fatalf("clone has no README: %v", err)
	}
	if err := os.WriteFile(filepath.Join(work, "new.txt"), []byte("hello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	g.Must(work, "add", "new.txt")
	g.Must(work, "commit", "--quiet", "-m", "add new.txt")
	g.Must(work, "push", "--quiet", "origin", "HEAD:main")
	head := strings.TrimSpace(g.Must(work, "rev-parse", "HEAD"))
	if out := g.Must("", "ls-remote", withUser(t, repoURL, "alice", ro), "refs/heads/main"); !strings.HasPrefix(out, head) {
		t.Errorf("ls-remote after push = %q, want %s", out, head)
	}
	logged := run.Mock.Requests(run.Mock.ContextPath() + "/scm/proj/widgets.git/git-receive-pack")
	if len(logged) == 0 || logged[len(logged)-1].User != "alice" || logged[len(logged)-1].Grant != "http-token" {
		t.Errorf("receive-pack log = %+v", logged)
	}

	// Read-only token, and a user with read-only project permission: 403.
	for name, u := range map[string]string{"read-only token": withUser(t, repoURL, "alice", ro), "bob": withUser(t, repoURL, "bob", bobRW)} {
		g.Must(work, "commit", "--quiet", "--allow-empty", "-m", "again")
		if out, err := g.Run(work, "push", u, "HEAD:main"); err == nil || !strings.Contains(out, "403") {
			t.Errorf("%s push: err %v, out %s", name, err, out)
		}
	}
	// Bearer through http.extraHeader (docs/bitbucket-behaviour.md#dc-access-tokens).
	g.Must("", "-c", "http.extraHeader=Authorization: Bearer "+ro, "ls-remote", repoURL)

	// No credentials: DC's challenge.
	status, h, _ := getWith(t, base, "/scm/proj/widgets.git/info/refs?service=git-upload-pack", nil)
	if status != 401 || h.Get("WWW-Authenticate") != `Basic realm="Atlassian Bitbucket"` || h.Get("X-AREQUESTID") == "" {
		t.Errorf("anonymous: %d %v", status, h)
	}

	run.Mock.Advance(49 * time.Hour)
	if out, err := g.Run("", "ls-remote", withUser(t, repoURL, "alice", rw)); err == nil {
		t.Errorf("1-day token after 49h worked: %s", out)
	}
	status, _, _ = getWith(t, base, "/scm/proj/widgets.git/info/refs?service=git-upload-pack", basic("alice", rw))
	if status != 401 {
		t.Errorf("expired token: %d", status)
	}
	// The token without expiry still works.
	g.Must("", "ls-remote", withUser(t, repoURL, "alice", ro))
}

// DC OAuth 2 access tokens: Basic with any username (GCM's placeholder),
// or Bearer; REPO_READ fetches, REPO_WRITE pushes.
func TestGitWithDCOAuth2Token(t *testing.T) {
	t.Parallel()
	_, base := startServer(t, testOptions{AutoApprove: true}, nil)
	g := testsupport.NewGitRunner(t)
	token := func(scopes ...string) string {
		cfg := dcConfig(base, "http://127.0.0.1:7777/callback")
		cfg.Scopes = scopes
		v := oauth2.GenerateVerifier()
		q := authorizeDC(t, cfg.AuthCodeURL("s", oauth2.S256ChallengeOption(v)))
		tok, err := cfg.Exchange(t.Context(), q.Get("code"), oauth2.VerifierOption(v))
		if err != nil {
			t.Fatal(err)
		}
		return tok.AccessToken
	}
	read, write := token("REPO_READ"), token("REPO_READ", "REPO_WRITE")
	repoURL := base + "/scm/proj/widgets.git"
	work := filepath.Join(t.TempDir(), "w")
	g.Must("", "clone", "--quiet", withUser(t, repoURL, "OAUTH_USERNAME", read), work)
	g.Must(work, "commit", "--quiet", "--allow-empty", "-m", "x")
	if out, err := g.Run(work, "push", withUser(t, repoURL, "alice", read), "HEAD:main"); err == nil || !strings.Contains(out, "403") {
		t.Errorf("REPO_READ push: %v %s", err, out)
	}
	g.Must(work, "-c", "http.extraHeader=Authorization: Bearer "+write, "push", "--quiet", repoURL, "HEAD:main")
	// PUBLIC_REPOS only reads public projects.
	pub := token("PUBLIC_REPOS")
	if status, _, _ := getWith(t, base, "/scm/proj/widgets.git/info/refs?service=git-upload-pack", bearer(pub)); status != 403 {
		t.Errorf("PUBLIC_REPOS on a private repo: %d", status)
	}
	if status, _, _ := getWith(t, base, "/scm/pub/open.git/info/refs?service=git-upload-pack", bearer(pub)); status != 200 {
		t.Errorf("PUBLIC_REPOS on a public repo: %d", status)
	}
	if status, _, _ := getWith(t, base, "/scm/proj/nothing.git/info/refs?service=git-upload-pack", bearer(write)); status != http.StatusNotFound {
		t.Errorf("unknown repository: %d", status)
	}
}
