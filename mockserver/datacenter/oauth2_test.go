package datacenter

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"golang.org/x/oauth2"

	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/testsupport"
)

const testDCSecret = "bbcred-dc-client-test-secret"

func dcConfig(base, redirect string) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     TestDCOAuth2ClientID,
		ClientSecret: testDCSecret,
		RedirectURL:  redirect,
		Scopes:       []string{"REPO_READ", "REPO_WRITE"},
		Endpoint: oauth2.Endpoint{
			AuthURL:   base + "/rest/oauth2/latest/authorize",
			TokenURL:  base + "/rest/oauth2/latest/token",
			AuthStyle: oauth2.AuthStyleInParams,
		},
	}
}

// authorizeDC follows the authorize URL (auto-approve) and returns the
// redirect's query.
func authorizeDC(t *testing.T, authURL string) url.Values {
	t.Helper()
	status, h, body := testsupport.Do(t, nil, testsupport.MustRequest(t, "GET", authURL))
	if status != http.StatusFound {
		t.Fatalf("authorize: %d %s", status, body)
	}
	loc, err := url.Parse(h.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return loc.Query()
}

func TestDCOAuth2CodePKCEAndRotation(t *testing.T) {
	t.Parallel()
	run, base := startServer(t, testOptions{AutoApprove: true}, nil)
	ctx := context.Background()
	// Loopback redirect URI on another port than the registered one (RFC 8252 §7.3).
	cfg := dcConfig(base, "http://127.0.0.1:45678/callback")
	verifier := oauth2.GenerateVerifier()
	q := authorizeDC(t, cfg.AuthCodeURL("st-1", oauth2.S256ChallengeOption(verifier)))
	if q.Get("state") != "st-1" || q.Get("code") == "" {
		t.Fatalf("redirect query = %v", q)
	}
	tok, err := cfg.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	if tok.TokenType != "bearer" || tok.RefreshToken == "" || tok.Extra("scope") != "REPO_READ REPO_WRITE" {
		t.Errorf("token: type %q, scope %v", tok.TokenType, tok.Extra("scope"))
	}
	if exp, ok := tok.Extra("expires_in").(float64); !ok || exp != 3600 {
		t.Errorf("expires_in = %v", tok.Extra("expires_in"))
	}
	if tok.Extra("scopes") != nil || tok.Extra("state") != nil {
		t.Error("DC's response has no Cloud-style scopes/state")
	}
	// The code is single use.
	if _, err := cfg.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier)); !isOAuth2Error(err, "invalid_grant") {
		t.Errorf("second exchange: %v", err)
	}
	// The access token identifies alice.
	req := testsupport.MustRequest(t, "GET", base+"/rest/api/latest/application-properties")
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	if status, h, body := testsupport.Do(t, nil, req); status != 200 || h.Get("X-AUSERNAME") != "alice" {
		t.Errorf("application-properties: %d %q %s", status, h.Get("X-AUSERNAME"), body)
	}

	// Refresh rotates: a new refresh token, and the old one is dead.
	refreshed, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if refreshed.RefreshToken == "" || refreshed.RefreshToken == tok.RefreshToken || refreshed.AccessToken == tok.AccessToken {
		t.Errorf("refresh did not rotate")
	}
	if _, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); !isOAuth2Error(err, "invalid_grant") {
		t.Errorf("old refresh token: %v", err)
	}

	// Access tokens live an hour, refresh tokens 90 days.
	run.Mock.Advance(time.Hour)
	req = testsupport.MustRequest(t, "GET", base+"/rest/api/1.0/profile/recent/repos")
	req.Header.Set("Authorization", "Bearer "+refreshed.AccessToken)
	if status, _, body := testsupport.Do(t, nil, req); status != 401 {
		t.Errorf("expired access token: %d %s", status, body)
	}
	if _, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: refreshed.RefreshToken}).Token(); err != nil {
		t.Errorf("refresh after an hour: %v", err)
	}
	run.Mock.Advance(91 * 24 * time.Hour)
	latest, _ := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: refreshed.RefreshToken}).Token()
	if latest != nil {
		t.Errorf("a used refresh token worked")
	}
}

func TestDCOAuth2RefreshExpires(t *testing.T) {
	t.Parallel()
	run, base := startServer(t, testOptions{AutoApprove: true}, nil)
	ctx := context.Background()
	cfg := dcConfig(base, "http://127.0.0.1:7777/callback")
	q := authorizeDC(t, cfg.AuthCodeURL("s"))
	tok, err := cfg.Exchange(ctx, q.Get("code"))
	if err != nil {
		t.Fatalf("exchange without PKCE: %v", err)
	}
	run.Mock.Advance(90*24*time.Hour + time.Second)
	if _, err := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token(); !isOAuth2Error(err, "invalid_grant") {
		t.Errorf("refresh after 90 days: %v", err)
	}
}

func isOAuth2Error(err error, code string) bool {
	var re *oauth2.RetrieveError
	return errors.As(err, &re) && re.ErrorCode == code
}

func TestDCOAuth2TokenErrors(t *testing.T) {
	t.Parallel()
	_, base := startServer(t, testOptions{AutoApprove: true}, nil)
	ctx := context.Background()
	cfg := dcConfig(base, "http://127.0.0.1:7777/callback")
	code := func(verifier string) string {
		opts := []oauth2.AuthCodeOption{}
		if verifier != "" {
			opts = append(opts, oauth2.S256ChallengeOption(verifier))
		}
		return authorizeDC(t, cfg.AuthCodeURL("s", opts...)).Get("code")
	}
	v := oauth2.GenerateVerifier()
	badSecret := *cfg
	badSecret.ClientSecret = "wrong"
	otherRedirect := *cfg
	otherRedirect.RedirectURL = "http://127.0.0.1:7777/other"

	tests := []struct {
		name   string
		cfg    *oauth2.Config
		code   string
		opts   []oauth2.AuthCodeOption
		status int
		want   string
	}{
		{"wrong verifier", cfg, code(v), []oauth2.AuthCodeOption{oauth2.VerifierOption(oauth2.GenerateVerifier())}, 400, "invalid_grant"},
		{"missing verifier", cfg, code(v), nil, 400, "invalid_grant"},
		{"unknown code", cfg, "nope", nil, 400, "invalid_grant"},
		{"wrong secret", &badSecret, code(""), nil, 401, "invalid_client"},
		{"redirect_uri differs", &otherRedirect, code(""), nil, 400, "invalid_grant"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := tt.cfg.Exchange(ctx, tt.code, tt.opts...)
			var re *oauth2.RetrieveError
			if !errors.As(err, &re) || re.ErrorCode != tt.want || re.Response.StatusCode != tt.status {
				t.Fatalf("err = %v, want %s (%d)", err, tt.want, tt.status)
			}
		})
	}

	t.Run("expired code", func(t *testing.T) {
		t.Parallel()
		run2, base2 := startServer(t, testOptions{AutoApprove: true}, nil)
		cfg2 := dcConfig(base2, "http://127.0.0.1:7777/callback")
		c := authorizeDC(t, cfg2.AuthCodeURL("s")).Get("code")
		run2.Mock.Advance(11 * time.Minute)
		if _, err := cfg2.Exchange(ctx, c); !isOAuth2Error(err, "invalid_grant") {
			t.Errorf("err = %v", err)
		}
	})

	raw := func(form url.Values, basicUser, basicPass string) (int, map[string]any) {
		req, _ := http.NewRequest("POST", base+"/rest/oauth2/latest/token", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if basicUser != "" {
			req.SetBasicAuth(basicUser, basicPass)
		}
		status, h, body := testsupport.Do(t, nil, req)
		if h.Get("Cache-Control") != "no-store" {
			t.Errorf("Cache-Control = %q", h.Get("Cache-Control"))
		}
		return status, decodeJSON(t, body)
	}
	t.Run("unsupported grant", func(t *testing.T) {
		t.Parallel()
		status, body := raw(url.Values{"grant_type": {"password"}, "client_id": {TestDCOAuth2ClientID}, "client_secret": {testDCSecret}}, "", "")
		if status != 400 || body["error"] != "unsupported_grant_type" {
			t.Errorf("%d %v", status, body)
		}
	})
	t.Run("basic client auth and exact response keys", func(t *testing.T) {
		t.Parallel()
		c := code("")
		status, body := raw(url.Values{"grant_type": {"authorization_code"}, "code": {c}, "redirect_uri": {cfg.RedirectURL}}, TestDCOAuth2ClientID, testDCSecret)
		if status != 200 {
			t.Fatalf("%d %v", status, body)
		}
		keys := []string{}
		for k := range body {
			keys = append(keys, k)
		}
		if diff := cmp.Diff([]string{"access_token", "expires_in", "refresh_token", "scope", "token_type"}, keys, cmpopts.SortSlices(func(a, b string) bool { return a < b })); diff != "" {
			t.Errorf("keys (-want +got):\n%s", diff)
		}
	})
}

func TestDCOAuth2AuthorizeErrors(t *testing.T) {
	t.Parallel()
	_, base := startServer(t, testOptions{AutoApprove: true}, nil)
	auth := base + "/rest/oauth2/latest/authorize?"
	good := url.Values{"client_id": {TestDCOAuth2ClientID}, "redirect_uri": {"http://127.0.0.1:7777/callback"},
		"response_type": {"code"}, "state": {"xyz"}, "scope": {"REPO_READ"}}
	with := func(kv ...string) string {
		v := url.Values{}
		for k, vs := range good {
			v[k] = vs
		}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] == "" {
				v.Del(kv[i])
			} else {
				v.Set(kv[i], kv[i+1])
			}
		}
		return auth + v.Encode()
	}
	tests := []struct {
		name     string
		url      string
		status   int    // 400: error page, no redirect
		wantErr  string // error in the redirect
		wantDesc string
	}{
		{"unknown client", with("client_id", "nobody"), 400, "", ""},
		{"missing redirect_uri", with("redirect_uri", ""), 400, "", ""},
		{"unregistered redirect_uri", with("redirect_uri", "http://evil.example/cb"), 400, "", ""},
		{"loopback other path", with("redirect_uri", "http://127.0.0.1:7777/other"), 400, "", ""},
		{"localhost on another port", with("redirect_uri", "http://localhost:8888/callback"), 302, "", ""},
		{"invalid scope", with("scope", "REPO_ADMIN REPO_READ PUBLIC_REPOS REPO_WRITE"), 302, "invalid_scope",
			"The scope used in the request ['PUBLIC_REPOS REPO_ADMIN REPO_READ REPO_WRITE'] is not valid for client scope ['PUBLIC_REPOS REPO_READ REPO_WRITE']"},
		// Issue 11: plain, lowercase s256 and a challenge without method are accepted (server_oauth2_pkce.go).
		{"plain PKCE accepted", with("code_challenge", "abc", "code_challenge_method", "plain"), 302, "", ""},
		{"PKCE without method accepted", with("code_challenge", "abc"), 302, "", ""},
		{"lowercase s256 accepted", with("code_challenge", "abc", "code_challenge_method", "s256"), 302, "", ""},
		{"unknown PKCE method", with("code_challenge", "abc", "code_challenge_method", "S512"), 302, "invalid_request", ""},
		{"token response type", with("response_type", "token"), 302, "unsupported_response_type", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			status, h, body := testsupport.Do(t, nil, testsupport.MustRequest(t, "GET", tt.url))
			if status != tt.status {
				t.Fatalf("status = %d (%s), want %d", status, body, tt.status)
			}
			if status != 302 {
				return
			}
			loc, _ := url.Parse(h.Get("Location"))
			q := loc.Query()
			if q.Get("error") != tt.wantErr || q.Get("state") != "xyz" {
				t.Errorf("redirect = %s", loc)
			}
			if tt.wantDesc != "" && q.Get("error_description") != tt.wantDesc {
				t.Errorf("error_description = %q", q.Get("error_description"))
			}
		})
	}
}

func TestDCOAuth2ConsentPage(t *testing.T) {
	t.Parallel()
	_, base := startServer(t, testOptions{}, nil)
	cfg := dcConfig(base, "http://127.0.0.1:7777/callback")
	authURL := cfg.AuthCodeURL("st", oauth2.S256ChallengeOption(oauth2.GenerateVerifier()))
	status, _, page := testsupport.Do(t, nil, testsupport.MustRequest(t, "GET", authURL))
	if status != 200 || !strings.Contains(page, `value="allow"`) || !strings.Contains(page, "REPO_WRITE") {
		t.Fatalf("consent page: %d %s", status, page)
	}
	u, _ := url.Parse(authURL)
	for decision, want := range map[string]string{"deny": "access_denied", "allow": ""} {
		form := u.Query()
		form.Set("decision", decision)
		resp, err := testsupport.NoRedirectClient().PostForm(base+"/rest/oauth2/latest/authorize", form)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		loc, _ := url.Parse(resp.Header.Get("Location"))
		if resp.StatusCode != 302 || loc.Query().Get("error") != want || (want == "" && loc.Query().Get("code") == "") {
			t.Errorf("%s: %d %s", decision, resp.StatusCode, loc)
		}
	}
}
