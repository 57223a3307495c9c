package mockserver_test

// Black-box: the built bitbucket-mock binary driven over HTTP by
// github.com/dghubble/oauth1 and the real git, using nothing but what the
// binary prints (its URLs and `bitbucket-mock fixtures`).

import (
	"bufio"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/dghubble/oauth1"
)

// buildMock builds cmd/bitbucket-mock (or uses $BITBUCKET_MOCK_BIN).
func buildMock(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv("BITBUCKET_MOCK_BIN"); bin != "" {
		return bin
	}
	bin := filepath.Join(t.TempDir(), "bitbucket-mock")
	cmd := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-o", bin, "github.com/bbcred/git-credential-bitbucket/cmd/bitbucket-mock")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build bitbucket-mock: %v\n%s", err, out)
	}
	return bin
}

// startMockBinary runs the binary and returns its Server/DC URL.
func startMockBinary(t *testing.T, bin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("bitbucket-mock exit: %v\n%s", err, stderr.String())
			}
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			t.Errorf("bitbucket-mock did not stop on SIGTERM")
		}
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("read first line: %v\n%s", err, stderr.String())
	}
	var urls struct{ Cloud, Server string }
	if err := json.Unmarshal([]byte(line), &urls); err != nil || urls.Server == "" {
		t.Fatalf("first line %q: %v", line, err)
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	return urls.Server
}

// builtinLink reads the first application link of `bitbucket-mock fixtures`.
func builtinLink(t *testing.T, bin string) (consumer string, key *rsa.PrivateKey) {
	t.Helper()
	out, err := exec.Command(bin, "fixtures").Output()
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Server struct {
			ApplicationLinks []struct {
				ConsumerKey   string `json:"consumer_key"`
				PrivateKeyPEM string `json:"private_key_pem"`
				Allow2LO      bool   `json:"allow_2lo"`
			} `json:"application_links"`
		} `json:"server"`
	}
	if err := json.Unmarshal(out, &f); err != nil {
		t.Fatal(err)
	}
	for _, l := range f.Server.ApplicationLinks {
		if !l.Allow2LO {
			continue
		}
		block, _ := pem.Decode([]byte(l.PrivateKeyPEM))
		if block == nil {
			t.Fatal("no PEM private key in the fixtures")
		}
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		return l.ConsumerKey, k.(*rsa.PrivateKey)
	}
	t.Fatal("no link allowing 2-legged OAuth in the fixtures")
	return "", nil
}

// recorder remembers the last Authorization header it sent.
type recorder struct{ auth string }

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.auth = req.Header.Get("Authorization")
	return http.DefaultTransport.RoundTrip(req)
}

type result struct {
	status int
	header http.Header
	body   string
}

func send(t *testing.T, c *http.Client, method, u, contentType, body string) result {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return result{resp.StatusCode, resp.Header, string(b)}
}

func TestBlackBoxServerOAuth1(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	t.Parallel()
	bin := buildMock(t)
	base := startMockBinary(t, bin, "--auto-approve", "--repos", t.TempDir())
	consumer, key := builtinLink(t, bin)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	cfg := &oauth1.Config{
		ConsumerKey: consumer,
		CallbackURL: "http://127.0.0.1:9/callback",
		Signer:      &oauth1.RSASigner{PrivateKey: key},
		Noncer:      oauth1.Base64Noncer{},
		HTTPClient:  noRedirect,
		Endpoint: oauth1.Endpoint{
			RequestTokenURL: base + "/plugins/servlet/oauth/request-token",
			AuthorizeURL:    base + "/plugins/servlet/oauth/authorize",
			AccessTokenURL:  base + "/plugins/servlet/oauth/access-token",
		},
	}
	ctx := context.Background()

	// 3-legged: request token, consent (auto-approved), verifier, access token.
	rt, rs, err := cfg.RequestToken()
	if err != nil {
		t.Fatalf("request token: %v", err)
	}
	authURL, _ := cfg.AuthorizationURL(rt)
	resp, err := noRedirect.Get(authURL.String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || err != nil {
		t.Fatalf("authorize: %d %v", resp.StatusCode, err)
	}
	at, as, err := cfg.AccessToken(rt, rs, loc.Query().Get("oauth_verifier"))
	if err != nil {
		t.Fatalf("access token: %v", err)
	}
	threeLO := cfg.Client(ctx, oauth1.NewToken(at, as))
	r := send(t, threeLO, "GET", base+"/rest/api/1.0/users/alice", "", "")
	if r.status != 200 || !strings.Contains(r.body, `"slug":"alice"`) || r.header.Get("X-AUSERNAME") != "alice" {
		t.Fatalf("3LO GET users/alice: %d %s", r.status, r.body)
	}

	// 2-legged runs as the execute-as user; impersonation as the named one.
	twoLO := cfg.Client(ctx, oauth1.NewToken("", ""))
	if r := send(t, twoLO, "GET", base+"/rest/api/1.0/users/alice", "", ""); r.status != 200 || r.header.Get("X-AUSERNAME") != "svc-ci" {
		t.Errorf("2LO: %d %q %s", r.status, r.header.Get("X-AUSERNAME"), r.body)
	}
	if r := send(t, twoLO, "GET", base+"/rest/api/1.0/users/alice?xoauth_requestor_id=bob", "", ""); r.status != 200 || r.header.Get("X-AUSERNAME") != "bob" {
		t.Errorf("2LO impersonation: %d %q %s", r.status, r.header.Get("X-AUSERNAME"), r.body)
	}

	// A personal HTTP access token minted through a signed REST call; git
	// clones and pushes with it.
	r = send(t, threeLO, "PUT", base+"/rest/access-tokens/1.0/users/alice", "application/json",
		`{"name":"blackbox","permissions":["REPO_READ","REPO_WRITE"],"expiryDays":1}`)
	if r.status != 200 {
		t.Fatalf("create token: %d %s", r.status, r.body)
	}
	var tok struct{ Token string }
	if err := json.Unmarshal([]byte(r.body), &tok); err != nil || tok.Token == "" {
		t.Fatalf("token response %s: %v", r.body, err)
	}
	repo, _ := url.Parse(base + "/scm/proj/widgets.git")
	repo.User = url.UserPassword("alice", tok.Token)
	git := blackboxGit(t)
	work := filepath.Join(t.TempDir(), "widgets")
	git("", "clone", "--quiet", repo.String(), work)
	if err := os.WriteFile(filepath.Join(work, "blackbox.txt"), []byte("pushed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git(work, "add", "blackbox.txt")
	git(work, "commit", "--quiet", "-m", "black-box push")
	git(work, "push", "--quiet", "origin", "HEAD:main")

	// A replayed request (same nonce, same timestamp) is refused.
	rec := &recorder{}
	c := cfg.Client(context.WithValue(ctx, oauth1.HTTPClient, &http.Client{Transport: rec}), oauth1.NewToken(at, as))
	if r := send(t, c, "GET", base+"/rest/api/1.0/users/alice", "", ""); r.status != 200 {
		t.Fatalf("signed GET: %d %s", r.status, r.body)
	}
	req, _ := http.NewRequest("GET", base+"/rest/api/1.0/users/alice", nil)
	req.Header.Set("Authorization", rec.auth)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 401 || !strings.HasPrefix(string(body), "oauth_problem=nonce_used") {
		t.Errorf("replayed request: %d %s", resp.StatusCode, body)
	}

	// Timestamps 10 minutes old (the mock's clock moved on) are refused.
	control(t, base, `{"advance":"10m"}`)
	r = send(t, threeLO, "GET", base+"/rest/api/1.0/users/alice", "", "")
	if r.status != 400 || !strings.HasPrefix(r.body, "oauth_problem=timestamp_refused") ||
		!strings.Contains(r.header.Get("WWW-Authenticate"), `oauth_problem="timestamp_refused"`) {
		t.Errorf("10-minute-old timestamp: %d %s", r.status, r.body)
	}

	// After 49 hours the 1-day token is refused by git.
	control(t, base, `{"advance":"49h"}`)
	if out, err := gitErr(t, "", "ls-remote", repo.String()); err == nil {
		t.Errorf("1-day token after 49h: %s", out)
	}
}

// control posts to /_mock/clock at the listener's root.
func control(t *testing.T, base, body string) {
	t.Helper()
	u, _ := url.Parse(base)
	u.Path = "/_mock/clock"
	if r := send(t, http.DefaultClient, "POST", u.String(), "application/json", body); r.status != 200 {
		t.Fatalf("clock: %d %s", r.status, r.body)
	}
}

func gitEnv(home string) []string {
	var env []string
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "GIT_") && !strings.HasPrefix(e, "HOME=") {
			env = append(env, e)
		}
	}
	return append(env, "HOME="+home, "XDG_CONFIG_HOME="+home, "GIT_CONFIG_NOSYSTEM=1", "GIT_TERMINAL_PROMPT=0",
		"GIT_AUTHOR_NAME=Test", "GIT_AUTHOR_EMAIL=test@example.invalid",
		"GIT_COMMITTER_NAME=Test", "GIT_COMMITTER_EMAIL=test@example.invalid")
}

func gitErr(t *testing.T, dir string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "credential.helper="}, args...)...)
	cmd.Dir = dir
	cmd.Env = gitEnv(t.TempDir())
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func blackboxGit(t *testing.T) func(dir string, args ...string) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	return func(dir string, args ...string) {
		t.Helper()
		if out, err := gitErr(t, dir, args...); err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}
