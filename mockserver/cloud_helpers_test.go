package mockserver_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bbcred/git-credential-bitbucket/mockserver"
	"github.com/bbcred/git-credential-bitbucket/mockserver/mocktest"
)

// Test values of the default fixtures.
const (
	privKey, privSecret = "mock-private", "mock-private-secret-TEST-ONLY"
	rotKey, rotSecret   = "mock-rotating", "mock-rotating-secret-TEST-ONLY"
	pubKey, pubSecret   = "mock-public", "mock-public-secret-TEST-ONLY"
	longKey, longSecret = "mock-long", "mock-long-secret-TEST-ONLY"
	noCbKey, noCbSecret = "mock-nocallback", "mock-nocallback-secret-TEST-ONLY"
	roKey, roSecret     = "mock-readonly", "mock-readonly-secret-TEST-ONLY"
	appKey, appClient   = "mock-connect-app", "mock-connect-client-key"
	appSecret           = "mock-connect-shared-secret-TEST-ONLY"
)

// cloudMock starts a mock with the default fixtures (edited by edit).
func cloudMock(t *testing.T, opts mockserver.Options, edit func(*mockserver.CloudFixtures)) *mockserver.Running {
	t.Helper()
	f := mockserver.DefaultFixtures()
	if edit != nil {
		edit(&f.Cloud)
	}
	opts.Fixtures = f
	return mocktest.StartForTest(t, opts)
}

// cloudMock2025 is cloudMock with the Cloud side in era 2025 (before
// 2026-05-04, docs/bitbucket-behaviour.md#cloud-2025-token-response, docs/bitbucket-behaviour.md#cloud-2025-refresh): the tests of that behaviour use it.
func cloudMock2025(t *testing.T, opts mockserver.Options, edit func(*mockserver.CloudFixtures)) *mockserver.Running {
	t.Helper()
	return cloudMock(t, opts, func(f *mockserver.CloudFixtures) {
		f.Era = "2025"
		if edit != nil {
			edit(f)
		}
	})
}

// response is a finished HTTP exchange.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("decode %q: %v", r.body, err)
	}
	return m
}

// do sends req without following redirects.
func do(t *testing.T, req *http.Request) response {
	t.Helper()
	c := &http.Client{
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return response{resp.StatusCode, resp.Header, b}
}

func newRequest(t *testing.T, method, u string, body io.Reader) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// tokenRequest posts form to the token endpoint; id/secret go into Basic
// when non-empty.
func tokenRequest(t *testing.T, run *mockserver.Running, id, secret string, form url.Values) response {
	t.Helper()
	req := newRequest(t, http.MethodPost, run.CloudURL+"/site/oauth2/access_token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if id != "" {
		req.SetBasicAuth(id, secret)
	}
	return do(t, req)
}

// clientCredentials gets a token for a private consumer.
func clientCredentials(t *testing.T, run *mockserver.Running, id, secret string) map[string]any {
	t.Helper()
	r := tokenRequest(t, run, id, secret, url.Values{"grant_type": {"client_credentials"}})
	if r.status != http.StatusOK {
		t.Fatalf("client credentials: %d %s", r.status, r.body)
	}
	return r.json(t)
}

// authorize runs /site/oauth2/authorize with auto-approve and returns the
// redirect Location.
func authorize(t *testing.T, run *mockserver.Running, q url.Values) *url.URL {
	t.Helper()
	r := do(t, newRequest(t, http.MethodGet, run.CloudURL+"/site/oauth2/authorize?"+q.Encode(), nil))
	if r.status != http.StatusFound {
		t.Fatalf("authorize: %d %s", r.status, r.body)
	}
	u, err := url.Parse(r.header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// authCode gets a code for client id through the auto-approving authorize page.
func authCode(t *testing.T, run *mockserver.Running, id string, extra url.Values) string {
	t.Helper()
	q := url.Values{"client_id": {id}, "response_type": {"code"}}
	for k, v := range extra {
		q[k] = v
	}
	code := authorize(t, run, q).Query().Get("code")
	if code == "" {
		t.Fatal("authorize: no code in the redirect")
	}
	return code
}

// get calls a REST or git URL with an optional bearer token.
func get(t *testing.T, u, bearer string) response {
	t.Helper()
	req := newRequest(t, http.MethodGet, u, nil)
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	return do(t, req)
}

func str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

// controlPost posts a JSON body to the control API.
func controlPost(t *testing.T, base, path, body string) response {
	t.Helper()
	req := newRequest(t, http.MethodPost, base+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return do(t, req)
}
