package cloud_test

import (
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bbcred/git-credential-bitbucket/mockserver"
	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/mockhttp"
)

// TestCloudTokenResponseShape checks the exact body of docs/bitbucket-behaviour.md#cloud-2025-token-response.
func TestCloudTokenResponseShape(t *testing.T) {
	t.Parallel()
	run := mockhttp.CloudMock2025(t, mockserver.Options{}, nil)
	r := mockhttp.TokenRequest(t, run, mockhttp.PrivKey, mockhttp.PrivSecret, url.Values{"grant_type": {"client_credentials"}})
	if r.Status != http.StatusOK {
		t.Fatalf("status %d: %s", r.Status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	m := r.JSON(t)
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if diff := cmp.Diff([]string{"access_token", "expires_in", "refresh_token", "scopes", "state", "token_type"}, keys); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
	want := map[string]any{"expires_in": float64(7200), "token_type": "bearer", "state": "client_credentials", "scopes": "repository repository:write account"}
	got := map[string]any{"expires_in": m["expires_in"], "token_type": m["token_type"], "state": m["state"], "scopes": m["scopes"]}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
	at, rt := mockhttp.Str(m, "access_token"), mockhttp.Str(m, "refresh_token")
	if len(at) < 100 || strings.Trim(at, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
		t.Errorf("access token is not a long URL-safe string (%d chars)", len(at))
	}
	if len(rt) != 18 || strings.Trim(rt, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") != "" {
		t.Errorf("refresh token is not 18 alphanumeric characters (%d chars)", len(rt))
	}
}

// TestCloudTokenErrors covers client authentication and grant errors
// (docs/bitbucket-behaviour.md#cloud-endpoints, docs/bitbucket-behaviour.md#cloud-grants, docs/bitbucket-behaviour.md#cloud-client-auth, docs/bitbucket-behaviour.md#cloud-2025-refresh, docs/bitbucket-behaviour.md#cloud-token-errors).
func TestCloudTokenErrors(t *testing.T) {
	t.Parallel()
	run := mockhttp.CloudMock2025(t, mockserver.Options{}, nil)
	cc := url.Values{"grant_type": {"client_credentials"}}
	tests := []struct {
		name       string
		id, secret string // Basic
		form       url.Values
		authz      string
		wantStatus int
		wantError  string
		wantDesc   string
	}{
		{"no client auth", "", "", cc, "", 401, "unauthorized_client", "Requests must be authenticated using OAuth client credentials"},
		{"only client_id field", "", "", url.Values{"grant_type": {"client_credentials"}, "client_id": {mockhttp.PrivKey}}, "", 401, "unauthorized_client", "Requests must be authenticated using OAuth client credentials"},
		{"wrong secret", mockhttp.PrivKey, "nope", cc, "", 401, "unauthorized_client", "Invalid OAuth client credentials"},
		{"unknown client", "nobody", "x", cc, "", 401, "unauthorized_client", "Invalid OAuth client credentials"},
		{"wrong secret in form", "", "", url.Values{"grant_type": {"client_credentials"}, "client_id": {mockhttp.PrivKey}, "client_secret": {"nope"}}, "", 401, "unauthorized_client", "Invalid OAuth client credentials"},
		{"not private", mockhttp.PubKey, mockhttp.PubSecret, cc, "", 400, "unauthorized_client", "Client credentials are only allowed for private consumers."},
		{"no callback", mockhttp.NoCbKey, mockhttp.NoCbSecret, cc, "", 400, "invalid_request", "No callback uri defined for the OAuth client."},
		{"no callback, code", mockhttp.NoCbKey, mockhttp.NoCbSecret, url.Values{"grant_type": {"authorization_code"}, "code": {"x"}}, "", 400, "invalid_request", "No callback uri defined for the OAuth client."},
		{"password grant", mockhttp.PrivKey, mockhttp.PrivSecret, url.Values{"grant_type": {"password"}, "username": {"alice"}, "password": {"pw"}}, "", 400, "invalid_grant", "Unsupported grant type: password"},
		{"no grant type", mockhttp.PrivKey, mockhttp.PrivSecret, url.Values{}, "", 400, "invalid_grant", "Unsupported grant type: None"},
		{"unknown code", mockhttp.PrivKey, mockhttp.PrivSecret, url.Values{"grant_type": {"authorization_code"}, "code": {"nope"}}, "", 400, "invalid_grant", "The specified code is not valid."},
		{"unknown refresh token", mockhttp.PrivKey, mockhttp.PrivSecret, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"nope"}}, "", 400, "invalid_request", "Invalid refresh_token"},
		{"jwt grant without JWT header", "", "", url.Values{"grant_type": {"urn:bitbucket:oauth2:jwt"}}, "", 401, "unauthorized_client", "Requests must be authenticated using OAuth client credentials"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := mockhttp.TokenRequest(t, run, tt.id, tt.secret, tt.form)
			if r.Status != tt.wantStatus {
				t.Errorf("status = %d, want %d (%s)", r.Status, tt.wantStatus, r.Body)
			}
			m := r.JSON(t)
			if diff := cmp.Diff(map[string]any{"error": tt.wantError, "error_description": tt.wantDesc}, m); diff != "" {
				t.Errorf("body (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("bearer scheme gets HTML", func(t *testing.T) {
		t.Parallel()
		req := mockhttp.NewRequest(t, http.MethodPost, run.CloudURL+"/site/oauth2/access_token", strings.NewReader(cc.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", "Bearer bW9jazpzZWNyZXQ=")
		r := mockhttp.Do(t, req)
		if r.Status != 400 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
			t.Errorf("got %d %q, want 400 text/html", r.Status, r.Header.Get("Content-Type"))
		}
	})
	t.Run("GET not allowed", func(t *testing.T) {
		t.Parallel()
		if r := mockhttp.Get(t, run.CloudURL+"/site/oauth2/access_token", ""); r.Status != http.StatusMethodNotAllowed {
			t.Errorf("status = %d", r.Status)
		}
	})
}

// TestCloudClientAuthStyles: Basic with URL-escaped credentials and form
// fields both work (docs/bitbucket-behaviour.md#cloud-client-auth).
func TestCloudClientAuthStyles(t *testing.T) {
	t.Parallel()
	const key, secret = "odd key+/&", "s3cr=t/+&%TEST-ONLY"
	run := mockhttp.CloudMock(t, mockserver.Options{}, func(f *mockserver.CloudFixtures) {
		f.Consumers = append(f.Consumers, mockserver.CloudConsumer{Key: key, Secret: secret, CallbackURL: "http://127.0.0.1", Private: true, Scopes: []string{"repository"}, Owner: "bob"})
	})
	cc := url.Values{"grant_type": {"client_credentials"}}
	if r := mockhttp.TokenRequest(t, run, url.QueryEscape(key), url.QueryEscape(secret), cc); r.Status != 200 {
		t.Errorf("escaped Basic: %d %s", r.Status, r.Body)
	}
	if r := mockhttp.TokenRequest(t, run, key, secret, cc); r.Status != 200 {
		t.Errorf("raw Basic: %d %s", r.Status, r.Body)
	}
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {key}, "client_secret": {secret}}
	if r := mockhttp.TokenRequest(t, run, "", "", form); r.Status != 200 {
		t.Errorf("form fields: %d %s", r.Status, r.Body)
	}
}

// TestCloudRefresh covers refresh_rotation none and rotate (docs/bitbucket-behaviour.md#cloud-2025-refresh, docs/bitbucket-behaviour.md#cloud-refresh-rotation).
func TestCloudRefresh(t *testing.T) {
	t.Parallel()
	refresh := func(t *testing.T, run *mockserver.Running, id, secret, rt string) mockhttp.Response {
		t.Helper()
		return mockhttp.TokenRequest(t, run, id, secret, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}})
	}
	t.Run("none keeps the refresh token", func(t *testing.T) {
		t.Parallel()
		run := mockhttp.CloudMock2025(t, mockserver.Options{}, nil)
		first := mockhttp.ClientCredentials(t, run, mockhttp.PrivKey, mockhttp.PrivSecret)
		run.Mock.Advance(3 * time.Hour) // access token expired
		rt := mockhttp.Str(first, "refresh_token")
		for i := 0; i < 2; i++ {
			r := refresh(t, run, mockhttp.PrivKey, mockhttp.PrivSecret, rt)
			if r.Status != 200 {
				t.Fatalf("refresh %d: %d %s", i, r.Status, r.Body)
			}
			m := r.JSON(t)
			if mockhttp.Str(m, "refresh_token") != rt || mockhttp.Str(m, "state") != "refresh_token" || m["expires_in"] != float64(7200) {
				t.Errorf("refresh %d: state %q, expires_in %v, same refresh token %v", i, m["state"], m["expires_in"], mockhttp.Str(m, "refresh_token") == rt)
			}
			if mockhttp.Str(m, "access_token") == mockhttp.Str(first, "access_token") {
				t.Error("refresh returned the old access token")
			}
			if g := mockhttp.Get(t, run.CloudURL+"/2.0/user", mockhttp.Str(m, "access_token")); g.Status != 200 {
				t.Errorf("new access token: %d", g.Status)
			}
		}
		if r := refresh(t, run, mockhttp.RotKey, mockhttp.RotSecret, rt); r.Status != 400 {
			t.Errorf("refresh token of another consumer: %d", r.Status)
		}
	})
	t.Run("rotate with grace", func(t *testing.T) {
		t.Parallel()
		run := mockhttp.CloudMock2025(t, mockserver.Options{}, nil)
		rt0 := mockhttp.Str(mockhttp.ClientCredentials(t, run, mockhttp.RotKey, mockhttp.RotSecret), "refresh_token")
		r := refresh(t, run, mockhttp.RotKey, mockhttp.RotSecret, rt0)
		if r.Status != 200 {
			t.Fatalf("first refresh: %d %s", r.Status, r.Body)
		}
		rt1 := mockhttp.Str(r.JSON(t), "refresh_token")
		if rt1 == "" || rt1 == rt0 {
			t.Fatal("rotate: no new refresh token")
		}
		run.Mock.Advance(9 * time.Minute)
		if r := refresh(t, run, mockhttp.RotKey, mockhttp.RotSecret, rt0); r.Status != 200 {
			t.Errorf("old token inside the grace: %d %s", r.Status, r.Body)
		}
		run.Mock.Advance(2 * time.Minute) // 11 minutes after the first use
		r = refresh(t, run, mockhttp.RotKey, mockhttp.RotSecret, rt0)
		if diff := cmp.Diff(map[string]any{"error": "invalid_request", "error_description": "Invalid refresh_token"}, r.JSON(t)); r.Status != 400 || diff != "" {
			t.Errorf("old token after the grace: %d (-want +got):\n%s", r.Status, diff)
		}
		if r := refresh(t, run, mockhttp.RotKey, mockhttp.RotSecret, rt1); r.Status != 200 {
			t.Errorf("new token: %d %s", r.Status, r.Body)
		}
	})
	t.Run("rotating refresh token ages out after 90 days", func(t *testing.T) {
		t.Parallel()
		run := mockhttp.CloudMock2025(t, mockserver.Options{}, nil)
		rt := mockhttp.Str(mockhttp.ClientCredentials(t, run, mockhttp.RotKey, mockhttp.RotSecret), "refresh_token")
		run.Mock.Advance(91 * 24 * time.Hour)
		if r := refresh(t, run, mockhttp.RotKey, mockhttp.RotSecret, rt); r.Status != 400 {
			t.Errorf("status = %d", r.Status)
		}
	})
	t.Run("long tokens", func(t *testing.T) {
		t.Parallel()
		run := mockhttp.CloudMock2025(t, mockserver.Options{}, nil)
		m := mockhttp.ClientCredentials(t, run, mockhttp.LongKey, mockhttp.LongSecret)
		r := refresh(t, run, mockhttp.LongKey, mockhttp.LongSecret, mockhttp.Str(m, "refresh_token"))
		if r.Status != 200 {
			t.Fatalf("refresh: %d", r.Status)
		}
		m2 := r.JSON(t)
		for _, v := range []string{mockhttp.Str(m, "access_token"), mockhttp.Str(m, "refresh_token"), mockhttp.Str(m2, "access_token"), mockhttp.Str(m2, "refresh_token")} {
			if len(v) <= 2500 || url.QueryEscape(v) != v {
				t.Errorf("token of %d characters (URL-safe: %v), want > 2500 URL-safe", len(v), url.QueryEscape(v) == v)
			}
		}
		if g := mockhttp.Get(t, run.CloudURL+"/2.0/user", mockhttp.Str(m2, "access_token")); g.Status != 200 {
			t.Errorf("long token on REST: %d", g.Status)
		}
	})
	t.Run("revoked grant", func(t *testing.T) {
		t.Parallel()
		run := mockhttp.CloudMock2025(t, mockserver.Options{}, nil)
		m := mockhttp.ClientCredentials(t, run, mockhttp.PrivKey, mockhttp.PrivSecret)
		if r := mockhttp.ControlPost(t, run.CloudURL, "/_mock/revoke", `{"token":"`+mockhttp.Str(m, "access_token")+`"}`); r.Status != 200 {
			t.Fatalf("revoke: %d %s", r.Status, r.Body)
		}
		if r := refresh(t, run, mockhttp.PrivKey, mockhttp.PrivSecret, mockhttp.Str(m, "refresh_token")); r.Status != 400 {
			t.Errorf("refresh after revoke: %d", r.Status)
		}
	})
}

// TestCloudConcurrentTokens hammers the token endpoint and REST from many
// goroutines (run with -race).
func TestCloudConcurrentTokens(t *testing.T) {
	t.Parallel()
	run := mockhttp.CloudMock2025(t, mockserver.Options{}, nil)
	const n = 16
	errs := make(chan string, 2*n)
	tokens := make(chan string, n)
	for i := 0; i < n; i++ {
		go func() {
			id, secret := mockhttp.PrivKey, mockhttp.PrivSecret
			if i%2 == 1 {
				id, secret = mockhttp.RotKey, mockhttp.RotSecret
			}
			r := mockhttp.TokenRequest(t, run, id, secret, url.Values{"grant_type": {"client_credentials"}})
			if r.Status != 200 {
				errs <- "token: " + string(r.Body)
				tokens <- ""
				return
			}
			m := r.JSON(t)
			rr := mockhttp.TokenRequest(t, run, id, secret, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {mockhttp.Str(m, "refresh_token")}})
			if rr.Status != 200 {
				errs <- "refresh: " + string(rr.Body)
			}
			if g := mockhttp.Get(t, run.CloudURL+"/2.0/repositories/acme", mockhttp.Str(m, "access_token")); g.Status != 200 {
				errs <- "list: " + string(g.Body)
			}
			tokens <- mockhttp.Str(m, "access_token")
		}()
	}
	seen := map[string]bool{}
	for i := 0; i < n; i++ {
		tok := <-tokens
		if tok != "" && seen[tok] {
			t.Error("duplicate access token")
		}
		seen[tok] = true
	}
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
