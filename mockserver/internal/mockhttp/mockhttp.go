// Package mockhttp holds the HTTP helpers of the tests that drive the
// assembled mock (mockserver.Start through mocktest): the Cloud endpoint
// tests (mockserver/cloud) and the control API tests (mockserver). Only
// tests import it.
package mockhttp

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
	PrivKey, PrivSecret = "mock-private", "mock-private-secret-TEST-ONLY"
	RotKey, RotSecret   = "mock-rotating", "mock-rotating-secret-TEST-ONLY"
	PubKey, PubSecret   = "mock-public", "mock-public-secret-TEST-ONLY"
	LongKey, LongSecret = "mock-long", "mock-long-secret-TEST-ONLY"
	NoCbKey, NoCbSecret = "mock-nocallback", "mock-nocallback-secret-TEST-ONLY"
	RoKey, RoSecret     = "mock-readonly", "mock-readonly-secret-TEST-ONLY"
	AppKey, AppClient   = "mock-connect-app", "mock-connect-client-key"
	AppSecret           = "mock-connect-shared-secret-TEST-ONLY"
)

// CloudMock starts a mock with the default fixtures (edited by edit).
func CloudMock(t testing.TB, opts mockserver.Options, edit func(*mockserver.CloudFixtures)) *mockserver.Running {
	t.Helper()
	f := mockserver.DefaultFixtures()
	if edit != nil {
		edit(&f.Cloud)
	}
	opts.Fixtures = f
	return mocktest.StartForTest(t, opts)
}

// CloudMock2025 is CloudMock with the Cloud side in era 2025 (before
// 2026-05-04, docs/bitbucket-behaviour.md#cloud-2025-token-response, docs/bitbucket-behaviour.md#cloud-2025-refresh): the tests of that behaviour use it.
func CloudMock2025(t testing.TB, opts mockserver.Options, edit func(*mockserver.CloudFixtures)) *mockserver.Running {
	t.Helper()
	return CloudMock(t, opts, func(f *mockserver.CloudFixtures) {
		f.Era = "2025"
		if edit != nil {
			edit(f)
		}
	})
}

// Response is a finished HTTP exchange.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body as an object.
func (r Response) JSON(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("decode %q: %v", r.Body, err)
	}
	return m
}

// Do sends req without following redirects.
func Do(t testing.TB, req *http.Request) Response {
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
	return Response{resp.StatusCode, resp.Header, b}
}

// NewRequest is http.NewRequest, failing the test on error.
func NewRequest(t testing.TB, method, u string, body io.Reader) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// TokenRequest posts form to the token endpoint; id/secret go into Basic
// when non-empty.
func TokenRequest(t testing.TB, run *mockserver.Running, id, secret string, form url.Values) Response {
	t.Helper()
	req := NewRequest(t, http.MethodPost, run.CloudURL+"/site/oauth2/access_token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if id != "" {
		req.SetBasicAuth(id, secret)
	}
	return Do(t, req)
}

// ClientCredentials gets a token for a private consumer.
func ClientCredentials(t testing.TB, run *mockserver.Running, id, secret string) map[string]any {
	t.Helper()
	r := TokenRequest(t, run, id, secret, url.Values{"grant_type": {"client_credentials"}})
	if r.Status != http.StatusOK {
		t.Fatalf("client credentials: %d %s", r.Status, r.Body)
	}
	return r.JSON(t)
}

// Authorize runs /site/oauth2/authorize with auto-approve and returns the
// redirect Location.
func Authorize(t testing.TB, run *mockserver.Running, q url.Values) *url.URL {
	t.Helper()
	r := Do(t, NewRequest(t, http.MethodGet, run.CloudURL+"/site/oauth2/authorize?"+q.Encode(), nil))
	if r.Status != http.StatusFound {
		t.Fatalf("authorize: %d %s", r.Status, r.Body)
	}
	u, err := url.Parse(r.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// AuthCode gets a code for client id through the auto-approving authorize page.
func AuthCode(t testing.TB, run *mockserver.Running, id string, extra url.Values) string {
	t.Helper()
	q := url.Values{"client_id": {id}, "response_type": {"code"}}
	for k, v := range extra {
		q[k] = v
	}
	code := Authorize(t, run, q).Query().Get("code")
	if code == "" {
		t.Fatal("authorize: no code in the redirect")
	}
	return code
}

// Get calls a REST or git URL with an optional bearer token.
func Get(t testing.TB, u, bearer string) Response {
	t.Helper()
	req := NewRequest(t, http.MethodGet, u, nil)
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	return Do(t, req)
}

// Str is m[k] as a string, "" when absent or not a string.
func Str(m map[string]any, k string) string {
	s, _ := m[k].(string)
	return s
}

// ControlPost posts a JSON body to the control API.
func ControlPost(t testing.TB, base, path, body string) Response {
	t.Helper()
	req := NewRequest(t, http.MethodPost, base+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	return Do(t, req)
}
