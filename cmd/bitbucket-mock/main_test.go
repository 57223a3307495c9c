package main_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bbcred/git-credential-bitbucket/mockserver"
)

// mockBin is the binary TestMain builds once for every test (set before
// any test runs, read-only afterwards).
var mockBin string

func TestMain(m *testing.M) {
	os.Exit(func() int {
		dir, err := os.MkdirTemp("", "bitbucket-mock-test-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		mockBin = filepath.Join(dir, "bitbucket-mock")
		if out, err := exec.Command("go", "build", "-o", mockBin, ".").CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
			return 1
		}
		return m.Run()
	}())
}

// buildMock returns the binary built by TestMain.
func buildMock(t *testing.T) string {
	t.Helper()
	return mockBin
}

// syncBuffer collects the mock's stderr.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startBinary runs the mock and returns its listener URLs from the first
// stdout line; the returned stop sends sig and returns the exit code.
func startBinary(t *testing.T, bin string, args ...string) (cloud, server string, stop func(os.Signal) int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan int, 1)
	lines := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		lines <- line
		io.Copy(io.Discard, stdout)
	}()
	go func() {
		cmd.Wait()
		exited <- cmd.ProcessState.ExitCode()
	}()
	var done bool
	stop = func(sig os.Signal) int {
		if done {
			return 0
		}
		done = true
		cmd.Process.Signal(sig)
		select {
		case code := <-exited:
			return code
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			t.Errorf("mock did not stop on %v; stderr:\n%s", sig, stderr.String())
			return -1
		}
	}
	t.Cleanup(func() { stop(syscall.SIGKILL) })
	var first string
	select {
	case first = <-lines:
	case <-time.After(30 * time.Second):
		t.Fatalf("no first line; stderr:\n%s", stderr.String())
	}
	var urls struct{ Cloud, Server string }
	dec := json.NewDecoder(strings.NewReader(first))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&urls); err != nil || urls.Cloud == "" || urls.Server == "" {
		t.Fatalf("first line %q: %v; stderr:\n%s", first, err, stderr.String())
	}
	return urls.Cloud, urls.Server, stop
}

type reply struct {
	status int
	body   map[string]any
}

func call(t *testing.T, method, u string, form url.Values, setup func(*http.Request)) reply {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if setup != nil {
		setup(req)
	}
	c := &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	r := reply{status: resp.StatusCode}
	json.Unmarshal(b, &r.body)
	if resp.StatusCode == http.StatusFound {
		r.body = map[string]any{"location": resp.Header.Get("Location")}
	}
	return r
}

// TestBinaryCloudAcceptance is the black-box acceptance of issue #3.
func TestBinaryCloudAcceptance(t *testing.T) {
	t.Parallel()
	bin := buildMock(t)
	cloud, server, stop := startBinary(t, bin, "--auto-approve", "--cloud-era", "2025")
	if !strings.HasSuffix(server, "/bitbucket") {
		t.Errorf("server URL %q lacks the context path", server)
	}
	const id, secret = "mock-private", "mock-private-secret-TEST-ONLY"
	basic := func(r *http.Request) { r.SetBasicAuth(id, secret) }
	tokenURL := cloud + "/site/oauth2/access_token"

	tok := call(t, "POST", tokenURL, url.Values{"grant_type": {"client_credentials"}}, basic)
	var keys []string
	for k := range tok.body {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if diff := cmp.Diff([]string{"access_token", "expires_in", "refresh_token", "scopes", "state", "token_type"}, keys); tok.status != 200 || diff != "" {
		t.Fatalf("client credentials %d, keys (-want +got):\n%s", tok.status, diff)
	}
	if tok.body["token_type"] != "bearer" || tok.body["expires_in"] != float64(7200) || tok.body["state"] != "client_credentials" || tok.body["scopes"] != "repository repository:write account" {
		t.Errorf("token fields: %v %v %v %v", tok.body["token_type"], tok.body["expires_in"], tok.body["state"], tok.body["scopes"])
	}
	bearer := func(v any) func(*http.Request) {
		return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+v.(string)) }
	}
	list := cloud + "/2.0/repositories/acme"
	if r := call(t, "GET", list, nil, bearer(tok.body["access_token"])); r.status != 200 || r.body["size"] != float64(2) {
		t.Errorf("list: %d %v", r.status, r.body)
	}

	req, _ := http.NewRequest("POST", cloud+"/_mock/clock", strings.NewReader(`{"advance":"2h1m"}`))
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("advance clock: %v", err)
	} else {
		resp.Body.Close()
	}
	if r := call(t, "GET", list, nil, bearer(tok.body["access_token"])); r.status != 401 {
		t.Errorf("list with an expired token: %d", r.status)
	}

	ref := call(t, "POST", tokenURL, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.body["refresh_token"].(string)}}, basic)
	if ref.status != 200 || ref.body["state"] != "refresh_token" {
		t.Fatalf("refresh: %d %v", ref.status, ref.body)
	}
	if r := call(t, "GET", list, nil, bearer(ref.body["access_token"])); r.status != 200 {
		t.Errorf("list with the refreshed token: %d", r.status)
	}

	auth := call(t, "GET", cloud+"/site/oauth2/authorize?client_id="+id+"&response_type=code&state=s", nil, nil)
	loc, _ := url.Parse(auth.body["location"].(string))
	code := loc.Query().Get("code")
	if auth.status != 302 || code == "" || loc.Query().Get("state") != "s" {
		t.Fatalf("authorize: %d %v", auth.status, auth.body)
	}
	exchange := url.Values{"grant_type": {"authorization_code"}, "code": {code}}
	if r := call(t, "POST", tokenURL, exchange, basic); r.status != 200 {
		t.Errorf("exchange: %d %v", r.status, r.body)
	}
	if r := call(t, "POST", tokenURL, exchange, basic); r.status != 400 || r.body["error"] != "invalid_grant" {
		t.Errorf("reused code: %d %v", r.status, r.body)
	}

	if code := stop(syscall.SIGTERM); code != 0 {
		t.Errorf("exit code after SIGTERM = %d", code)
	}
}

// TestBinaryFixturesAndRepos: `fixtures` prints both halves; --fixtures
// and --repos are honoured; SIGINT stops cleanly.
func TestBinaryFixturesAndRepos(t *testing.T) {
	t.Parallel()
	bin := buildMock(t)
	out, err := exec.Command(bin, "fixtures").Output()
	if err != nil {
		t.Fatalf("fixtures: %v", err)
	}
	var f mockserver.Fixtures
	dec := json.NewDecoder(bytes.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("fixtures output: %v", err)
	}
	if len(f.Cloud.Consumers) == 0 || len(f.Cloud.ConnectApps) == 0 || len(f.Server.Users) == 0 {
		t.Errorf("fixtures lack a half: %d consumers, %d apps, %d server users", len(f.Cloud.Consumers), len(f.Cloud.ConnectApps), len(f.Server.Users))
	}
	f.Cloud.Repositories = append(f.Cloud.Repositories, mockserver.CloudRepository{Workspace: "acme", Slug: "extra"})
	b, _ := json.Marshal(f)
	file := filepath.Join(t.TempDir(), "fixtures.json")
	os.WriteFile(file, b, 0o644)
	repos := t.TempDir()

	cloud, server, stop := startBinary(t, bin, "--fixtures", file, "--repos", repos, "--context-path", "/", "--cloud", "127.0.0.1:0")
	if strings.Count(server, "/") != 2 {
		t.Errorf("server URL with context path / = %q", server)
	}
	if r := call(t, "GET", cloud+"/2.0/repositories/acme", nil, nil); r.status != 200 || r.body["size"] != float64(2) { // public-repo and the public extra
		t.Errorf("anonymous list: %d %v", r.status, r.body)
	}
	if _, err := os.Stat(filepath.Join(repos, "cloud", "acme", "extra.git", "HEAD")); err != nil {
		t.Errorf("repository from --fixtures not in --repos: %v", err)
	}
	if code := stop(os.Interrupt); code != 0 {
		t.Errorf("exit code after SIGINT = %d", code)
	}
}

// TestBinaryRequestLogFlag: --request-log N keeps the newest N requests and
// says in X-Mock-Requests-Dropped how many it dropped.
func TestBinaryRequestLogFlag(t *testing.T) {
	t.Parallel()
	cloud, _, stop := startBinary(t, buildMock(t), "--request-log", "3")
	for range 5 {
		call(t, "GET", cloud+"/2.0/repositories/acme", nil, nil)
	}
	resp, err := http.Get(cloud + "/_mock/requests")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var log []mockserver.LoggedRequest
	if err := json.NewDecoder(resp.Body).Decode(&log); err != nil || len(log) != 3 {
		t.Fatalf("log: %d entries (%v), want 3", len(log), err)
	}
	if d, n := resp.Header.Get("X-Mock-Requests-Dropped"), resp.Header.Get("X-Mock-Request-Log-Size"); d != "2" || n != "3" {
		t.Errorf("dropped %q, size %q; want 2 and 3", d, n)
	}
	if code := stop(syscall.SIGTERM); code != 0 {
		t.Errorf("exit code after SIGTERM = %d", code)
	}
}

func TestBinaryBadArguments(t *testing.T) {
	t.Parallel()
	bin := buildMock(t)
	tests := []struct {
		args []string
		want int
	}{
		{[]string{"--nope"}, 2},
		{[]string{"extra"}, 2},
		{[]string{"fixtures", "extra"}, 2},
		{[]string{"fixtures", "--nope"}, 2},
		{[]string{"fixtures", "--fixtures", "/does/not/exist.json"}, 1},
		{[]string{"fixtures", "--write-keys", "/dev/null/keys"}, 1},
		{[]string{"--cloud", "0.0.0.0:0"}, 1},
		{[]string{"--fixtures", "/does/not/exist.json"}, 1},
		{[]string{"--request-log", "0"}, 2},
		{[]string{"--request-log", "many"}, 2},
	}
	for _, tt := range tests {
		cmd := exec.Command(bin, tt.args...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		if code := cmd.ProcessState.ExitCode(); code != tt.want || stderr.Len() == 0 {
			t.Errorf("%v: exit %d (%v), want %d with a message; stderr %q", tt.args, code, err, tt.want, stderr.String())
		}
	}
}
