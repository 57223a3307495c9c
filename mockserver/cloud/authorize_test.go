package cloud_test

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bbcred/git-credential-bitbucket/mockserver"
	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/mockhttp"
)

// TestCloudAuthorizeErrorPages: a bad client_id or redirect_uri is an HTML
// page, never a redirect (docs/bitbucket-behaviour.md#cloud-endpoints).
func TestCloudAuthorizeErrorPages(t *testing.T) {
	t.Parallel()
	run := mockhttp.CloudMock(t, mockserver.Options{AutoApprove: true}, nil)
	tests := []struct {
		name, query, want string
	}{
		{"unknown client", "client_id=nobody&response_type=code", "Invalid client_id"},
		{"no client", "response_type=code", "Invalid client_id"},
		{"redirect does not extend the callback", "client_id=mock-private&response_type=code&redirect_uri=http%3A%2F%2Fevil.example%2F", "Invalid redirect_uri"},
		{"consumer without callback", "client_id=mock-nocallback&response_type=code", "Invalid redirect_uri"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := mockhttp.Get(t, run.CloudURL+"/site/oauth2/authorize?"+tt.query, "")
			if r.Status != 400 || r.Header.Get("Location") != "" || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
				t.Errorf("got %d Location=%q Content-Type=%q, want 400 HTML page", r.Status, r.Header.Get("Location"), r.Header.Get("Content-Type"))
			}
			if !strings.Contains(string(r.Body), tt.want) {
				t.Errorf("page lacks %q", tt.want)
			}
		})
	}
}

// TestCloudAuthorizeRedirects covers the redirect side of /authorize.
func TestCloudAuthorizeRedirects(t *testing.T) {
	t.Parallel()
	run := mockhttp.CloudMock(t, mockserver.Options{AutoApprove: true}, nil)
	t.Run("code with state and loopback port", func(t *testing.T) {
		t.Parallel()
		u := mockhttp.Authorize(t, run, url.Values{"client_id": {mockhttp.PrivKey}, "response_type": {"code"}, "state": {"xyz 1"}, "redirect_uri": {"http://127.0.0.1:41234/cb?keep=1"}})
		if u.Host != "127.0.0.1:41234" || u.Path != "/cb" || u.Query().Get("keep") != "1" || u.Query().Get("state") != "xyz 1" || u.Query().Get("code") == "" {
			t.Errorf("redirect = %s", u)
		}
	})
	t.Run("no redirect_uri uses the callback", func(t *testing.T) {
		t.Parallel()
		u := mockhttp.Authorize(t, run, url.Values{"client_id": {mockhttp.PrivKey}, "response_type": {"code"}})
		if u.Scheme+"://"+u.Host != "http://127.0.0.1" || u.Query().Get("code") == "" || u.Query().Has("state") {
			t.Errorf("redirect = %s", u)
		}
	})
	t.Run("unsupported response type", func(t *testing.T) {
		t.Parallel()
		u := mockhttp.Authorize(t, run, url.Values{"client_id": {mockhttp.PrivKey}, "response_type": {"id_token"}, "state": {"s"}})
		if u.Query().Get("error") != "unsupported_response_type" || u.Query().Get("state") != "s" {
			t.Errorf("redirect = %s", u)
		}
	})
	t.Run("implicit grant", func(t *testing.T) {
		t.Parallel()
		u := mockhttp.Authorize(t, run, url.Values{"client_id": {mockhttp.PrivKey}, "response_type": {"token"}, "state": {"st"}})
		frag, err := url.ParseQuery(u.Fragment)
		if err != nil {
			t.Fatal(err)
		}
		if u.RawQuery != "" || frag.Get("token_type") != "bearer" || frag.Get("expires_in") != "7200" || frag.Get("state") != "st" || frag.Has("refresh_token") {
			t.Errorf("redirect = %s", u.Redacted())
		}
		if r := mockhttp.Get(t, run.CloudURL+"/2.0/user", frag.Get("access_token")); r.Status != 200 {
			t.Errorf("implicit token on /2.0/user: %d", r.Status)
		}
	})
}

// TestCloudConsentPage: without auto-approve a person sees a form and
// approves or denies.
func TestCloudConsentPage(t *testing.T) {
	t.Parallel()
	run := mockhttp.CloudMock(t, mockserver.Options{}, nil)
	q := url.Values{"client_id": {mockhttp.PrivKey}, "response_type": {"code"}, "state": {"s1"}, "redirect_uri": {"http://127.0.0.1:5555/cb"}}
	page := mockhttp.Get(t, run.CloudURL+"/site/oauth2/authorize?"+q.Encode(), "")
	body := string(page.Body)
	if page.Status != 200 || !strings.Contains(body, `<form method="post" action="/site/oauth2/authorize">`) ||
		!strings.Contains(body, `name="decision" value="approve"`) || !strings.Contains(body, `name="decision" value="deny"`) {
		t.Fatalf("consent page: %d\n%s", page.Status, body)
	}
	post := func(decision string) *url.URL {
		form := url.Values{"decision": {decision}}
		for k, v := range q {
			form[k] = v
		}
		req := mockhttp.NewRequest(t, http.MethodPost, run.CloudURL+"/site/oauth2/authorize", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		r := mockhttp.Do(t, req)
		if r.Status != http.StatusFound {
			t.Fatalf("%s: %d %s", decision, r.Status, r.Body)
		}
		u, _ := url.Parse(r.Header.Get("Location"))
		return u
	}
	if u := post("approve"); u.Query().Get("code") == "" || u.Query().Get("state") != "s1" {
		t.Errorf("approve: %s", u)
	}
	if u := post("deny"); u.Query().Get("error") != "access_denied" || u.Query().Get("state") != "s1" || u.Query().Has("code") {
		t.Errorf("deny: %s", u)
	}
}

// TestCloudCodeGrant covers the code exchange: single use (RFC 6749
// §4.1.2), lifetime, client binding, redirect_uri and PKCE.
func TestCloudCodeGrant(t *testing.T) {
	t.Parallel()
	exchange := func(t *testing.T, run *mockserver.Running, id, secret, code string, extra url.Values) mockhttp.Response {
		t.Helper()
		form := url.Values{"grant_type": {"authorization_code"}, "code": {code}}
		for k, v := range extra {
			form[k] = v
		}
		return mockhttp.TokenRequest(t, run, id, secret, form)
	}
	badCode := map[string]any{"error": "invalid_grant", "error_description": "The specified code is not valid."}

	t.Run("exchange, then reuse revokes", func(t *testing.T) {
		t.Parallel()
		run := mockhttp.CloudMock2025(t, mockserver.Options{AutoApprove: true}, nil)
		code := mockhttp.AuthCode(t, run, mockhttp.PrivKey, nil)
		r := exchange(t, run, mockhttp.PrivKey, mockhttp.PrivSecret, code, nil)
		if r.Status != 200 {
			t.Fatalf("exchange: %d %s", r.Status, r.Body)
		}
		m := r.JSON(t)
		if mockhttp.Str(m, "state") != "authorization_code" || mockhttp.Str(m, "refresh_token") == "" {
			t.Errorf("token response %v", m)
		}
		at := mockhttp.Str(m, "access_token")
		if g := mockhttp.Get(t, run.CloudURL+"/2.0/user", at); g.Status != 200 || mockhttp.Str(g.JSON(t), "username") != "alice" {
			t.Errorf("/2.0/user: %d %s", g.Status, g.Body)
		}
		r = exchange(t, run, mockhttp.PrivKey, mockhttp.PrivSecret, code, nil)
		if diff := cmp.Diff(badCode, r.JSON(t)); r.Status != 400 || diff != "" {
			t.Errorf("reuse: %d (-want +got):\n%s", r.Status, diff)
		}
		if g := mockhttp.Get(t, run.CloudURL+"/2.0/user", at); g.Status != 401 {
			t.Errorf("access token after code reuse: %d, want 401", g.Status)
		}
		if r := mockhttp.TokenRequest(t, run, mockhttp.PrivKey, mockhttp.PrivSecret, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {mockhttp.Str(m, "refresh_token")}}); r.Status != 400 {
			t.Errorf("refresh after code reuse: %d, want 400", r.Status)
		}
	})
	t.Run("expired code", func(t *testing.T) {
		t.Parallel()
		run := mockhttp.CloudMock(t, mockserver.Options{AutoApprove: true}, nil)
		code := mockhttp.AuthCode(t, run, mockhttp.PrivKey, nil)
		run.Mock.Advance(10*time.Minute + time.Second)
		if r := exchange(t, run, mockhttp.PrivKey, mockhttp.PrivSecret, code, nil); r.Status != 400 {
			t.Errorf("status %d", r.Status)
		}
	})

	run := mockhttp.CloudMock(t, mockserver.Options{AutoApprove: true}, nil)
	verifier := "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
	sum := sha256.Sum256([]byte(verifier))
	challenge := base64.RawURLEncoding.EncodeToString(sum[:])
	s256 := url.Values{"code_challenge": {challenge}, "code_challenge_method": {"S256"}}
	tests := []struct {
		name       string
		authorize  url.Values
		id, secret string
		exchange   url.Values
		wantStatus int
	}{
		{"code of another consumer", nil, mockhttp.RotKey, mockhttp.RotSecret, nil, 400},
		{"redirect_uri differs", url.Values{"redirect_uri": {"http://127.0.0.1:1/a"}}, mockhttp.PrivKey, mockhttp.PrivSecret, url.Values{"redirect_uri": {"http://127.0.0.1:1/b"}}, 400},
		{"redirect_uri same", url.Values{"redirect_uri": {"http://127.0.0.1:1/a"}}, mockhttp.PrivKey, mockhttp.PrivSecret, url.Values{"redirect_uri": {"http://127.0.0.1:1/a"}}, 200},
		{"redirect_uri omitted at exchange", url.Values{"redirect_uri": {"http://127.0.0.1:1/a"}}, mockhttp.PrivKey, mockhttp.PrivSecret, nil, 200},
		{"PKCE S256 ok", s256, mockhttp.PrivKey, mockhttp.PrivSecret, url.Values{"code_verifier": {verifier}}, 200},
		// Cloud does not offer PKCE and ignores it (BCLOUD-23469, docs/bitbucket-behaviour.md#cloud-endpoints; issue 11).
		{"PKCE S256 wrong verifier ignored", s256, mockhttp.PrivKey, mockhttp.PrivSecret, url.Values{"code_verifier": {verifier + "x"}}, 200},
		{"PKCE S256 missing verifier ignored", s256, mockhttp.PrivKey, mockhttp.PrivSecret, nil, 200},
		{"PKCE unknown method ignored", url.Values{"code_challenge": {challenge}, "code_challenge_method": {"S512"}}, mockhttp.PrivKey, mockhttp.PrivSecret, nil, 200},
		{"PKCE plain ok", url.Values{"code_challenge": {verifier}}, mockhttp.PrivKey, mockhttp.PrivSecret, url.Values{"code_verifier": {verifier}}, 200},
		{"verifier without challenge is ignored", nil, mockhttp.PrivKey, mockhttp.PrivSecret, url.Values{"code_verifier": {verifier}}, 200},
		{"client in form fields", nil, "", "", url.Values{"client_id": {mockhttp.PrivKey}, "client_secret": {mockhttp.PrivSecret}}, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code := mockhttp.AuthCode(t, run, mockhttp.PrivKey, tt.authorize)
			r := exchange(t, run, tt.id, tt.secret, code, tt.exchange)
			if r.Status != tt.wantStatus {
				t.Errorf("status = %d, want %d: %s", r.Status, tt.wantStatus, r.Body)
			}
		})
	}
}
