package testsupport

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/dghubble/oauth1"
)

// NoRedirectClient is an HTTP client that stops at redirects.
func NoRedirectClient() *http.Client {
	return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// MustRequest is http.NewRequest without a body, failing the test on error.
func MustRequest(t testing.TB, method, u string) *http.Request {
	t.Helper()
	r, err := http.NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// The OAuth 1 flows as github.com/dghubble/oauth1, a client written apart
// from the mock, runs them.

// O1Config is a dghubble/oauth1 consumer of the mock at base.
func O1Config(t testing.TB, base, consumer, keyPEM, callback string) *oauth1.Config {
	t.Helper()
	return &oauth1.Config{
		ConsumerKey: consumer,
		CallbackURL: callback,
		Signer:      &oauth1.RSASigner{PrivateKey: MustPrivateKey(t, keyPEM)},
		Noncer:      oauth1.Base64Noncer{}, // else dghubble writes it into the Config on each use
		Endpoint: oauth1.Endpoint{
			RequestTokenURL: base + "/plugins/servlet/oauth/request-token",
			AuthorizeURL:    base + "/plugins/servlet/oauth/authorize",
			AccessTokenURL:  base + "/plugins/servlet/oauth/access-token",
		},
		HTTPClient: NoRedirectClient(),
	}
}

// Dance3LO runs the 3-legged flow with auto-approve (or a form POST of
// "allow") and returns the access token.
func Dance3LO(t testing.TB, cfg *oauth1.Config) (token, secret string) {
	t.Helper()
	return Dance3LOWith(t, cfg, NoRedirectClient())
}

// Dance3LOWith is Dance3LO with browser, a client that does not follow redirects.
func Dance3LOWith(t testing.TB, cfg *oauth1.Config, browser *http.Client) (token, secret string) {
	t.Helper()
	rt, rs, err := cfg.RequestToken()
	if err != nil {
		t.Fatalf("request token: %v", err)
	}
	authURL, err := cfg.AuthorizationURL(rt)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := browser.Get(authURL.String())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusOK { // consent page: press Allow
		resp, err = browser.PostForm(authURL.String(), url.Values{"oauth_token": {rt}, "decision": {"allow"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize: status %d", resp.StatusCode)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	if got := loc.Query().Get("oauth_token"); got != rt {
		t.Fatalf("callback oauth_token = %q, want the request token", got)
	}
	at, as, err := cfg.AccessToken(rt, rs, loc.Query().Get("oauth_verifier"))
	if err != nil {
		t.Fatalf("access token: %v", err)
	}
	return at, as
}

// SignedGet performs a GET signed by dghubble/oauth1 with token (empty: 2LO).
func SignedGet(t testing.TB, cfg *oauth1.Config, token, rawURL string) (int, http.Header, string) {
	t.Helper()
	client := cfg.Client(context.Background(), oauth1.NewToken(token, ""))
	req, err := http.NewRequest("GET", rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	return Do(t, client, req)
}
