package cloud_test

import (
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bbcred/git-credential-bitbucket/mockserver"
	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/mockhttp"
	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/testsupport"
)

// withCreds puts user:token into a mock URL.
func withCreds(base, user, token string) string {
	return strings.Replace(base, "://", "://"+user+":"+token+"@", 1)
}

// TestCloudGitCloneAndPush: a real git clones and pushes (a 5 MB file goes
// as a chunked body) with x-token-auth and an access token.
func TestCloudGitCloneAndPush(t *testing.T) {
	t.Parallel()
	run := mockhttp.CloudMock2025(t, mockserver.Options{}, nil)
	g := testsupport.NewGitRunner(t)
	tok := mockhttp.Str(mockhttp.ClientCredentials(t, run, mockhttp.PrivKey, mockhttp.PrivSecret), "access_token")
	work := filepath.Join(t.TempDir(), "widgets")
	g.Must("", "clone", "-q", withCreds(run.CloudURL, "x-token-auth", tok)+"/acme/widgets.git", work)
	if _, err := os.Stat(filepath.Join(work, "README.md")); err != nil {
		t.Fatalf("clone has no README: %v", err)
	}
	big := make([]byte, 5<<20)
	rand.Read(big)
	if err := os.WriteFile(filepath.Join(work, "big.bin"), big, 0o644); err != nil {
		t.Fatal(err)
	}
	g.Must(work, "add", "big.bin")
	g.Must(work, "commit", "-q", "-m", "big file")
	g.Must(work, "-c", "pack.compression=0", "-c", "core.compression=0", "push", "-q", "origin", "main")

	head := strings.TrimSpace(g.Must(work, "rev-parse", "HEAD"))
	remote := g.Must("", "ls-remote", withCreds(run.CloudURL, "alice", tok)+"/acme/widgets.git", "refs/heads/main")
	if !strings.HasPrefix(remote, head) {
		t.Errorf("remote main = %q, want %s", remote, head)
	}
	// A push over http.postBuffer is a 4-byte probe, then the chunked POST.
	var posts int
	for _, e := range run.Mock.Requests("/acme/widgets.git/git-receive-pack") {
		if e.Method == "POST" && e.Status == 200 && e.Client == mockhttp.PrivKey && e.User == "alice" {
			posts++
		}
	}
	if posts < 2 {
		t.Errorf("request log has %d receive-pack POSTs, want the probe and the chunked body: %+v", posts, run.Mock.Requests("/acme/"))
	}
}

// TestCloudGitAuth: the challenge, usernames, scopes and token states.
func TestCloudGitAuth(t *testing.T) {
	t.Parallel()
	run := mockhttp.CloudMock2025(t, mockserver.Options{}, nil)
	g := testsupport.NewGitRunner(t)
	tok := mockhttp.Str(mockhttp.ClientCredentials(t, run, mockhttp.PrivKey, mockhttp.PrivSecret), "access_token")
	ro := mockhttp.Str(mockhttp.ClientCredentials(t, run, mockhttp.RoKey, mockhttp.RoSecret), "access_token")
	revoked := mockhttp.Str(mockhttp.ClientCredentials(t, run, mockhttp.PrivKey, mockhttp.PrivSecret), "access_token")
	mockhttp.ControlPost(t, run.CloudURL, "/_mock/revoke", `{"token":"`+revoked+`"}`)
	widgets := "/acme/widgets.git"

	tests := []struct {
		name    string
		args    []string
		wantErr string // "" = success
	}{
		{"no credentials", []string{"ls-remote", run.CloudURL + widgets}, "terminal prompts disabled"},
		{"x-token-auth", []string{"ls-remote", withCreds(run.CloudURL, "x-token-auth", tok) + widgets}, ""},
		{"owner's username", []string{"ls-remote", withCreds(run.CloudURL, "alice", tok) + widgets}, ""},
		{"another username", []string{"ls-remote", withCreds(run.CloudURL, "bob", tok) + widgets}, "Authentication failed"},
		{"revoked token", []string{"ls-remote", withCreds(run.CloudURL, "x-token-auth", revoked) + widgets}, "Authentication failed"},
		{"bearer header", []string{"-c", "http.extraHeader=Authorization: Bearer " + tok, "ls-remote", run.CloudURL + widgets}, ""},
		{"public anonymous", []string{"ls-remote", run.CloudURL + "/acme/public-repo.git"}, ""},
		{"missing repository", []string{"ls-remote", withCreds(run.CloudURL, "x-token-auth", tok) + "/acme/nope.git"}, "not found"},
		{"read-only push", []string{"push", withCreds(run.CloudURL, "x-token-auth", ro) + widgets, "HEAD:refs/heads/ro"}, "403"},
		{"anonymous push to public", []string{"push", run.CloudURL + "/acme/public-repo.git", "HEAD:refs/heads/anon"}, "terminal prompts disabled"},
	}
	src := t.TempDir()
	g.Must(src, "init", "-q")
	g.Must(src, "commit", "-q", "--allow-empty", "-m", "x")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, err := g.Run(src, tt.args...)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("want success, got %v:\n%s", err, out)
			case tt.wantErr != "" && err == nil:
				t.Errorf("want failure with %q, got success:\n%s", tt.wantErr, out)
			case tt.wantErr != "" && !strings.Contains(out, tt.wantErr):
				t.Errorf("output lacks %q:\n%s", tt.wantErr, out)
			}
		})
	}
	t.Run("first request is challenged", func(t *testing.T) {
		t.Parallel()
		r := mockhttp.Get(t, run.CloudURL+widgets+"/info/refs?service=git-upload-pack", "")
		if r.Status != 401 || r.Header.Get("WWW-Authenticate") != `Basic realm="Bitbucket.org HTTP"` {
			t.Errorf("got %d %q", r.Status, r.Header.Get("WWW-Authenticate"))
		}
	})
}

// TestCloudGitExpiredToken: after two hours git gets 401.
func TestCloudGitExpiredToken(t *testing.T) {
	t.Parallel()
	run := mockhttp.CloudMock(t, mockserver.Options{}, nil)
	g := testsupport.NewGitRunner(t)
	tok := mockhttp.Str(mockhttp.ClientCredentials(t, run, mockhttp.PrivKey, mockhttp.PrivSecret), "access_token")
	u := withCreds(run.CloudURL, "x-token-auth", tok) + "/acme/widgets.git"
	g.Must("", "ls-remote", u)
	run.Mock.Advance(2*time.Hour + time.Minute)
	if out, err := g.Run("", "ls-remote", u); err == nil || !strings.Contains(out, "Authentication failed") {
		t.Errorf("want authentication failure, got %v:\n%s", err, out)
	}
}
