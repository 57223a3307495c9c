package mockserver

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/dghubble/oauth1"

	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/testsupport"
)

// startServer runs a mock with the default fixtures changed by edit, and
// returns it with the Server/DC base URL (context path included).
func startServer(t *testing.T, opts Options, edit func(*ServerFixtures)) (*Running, string) {
	t.Helper()
	f := DefaultFixtures()
	if edit != nil {
		edit(&f.Server)
	}
	opts.Fixtures = f
	if opts.ReposDir == "" {
		opts.ReposDir = t.TempDir()
	}
	run, err := Start(opts, "", "")
	if err != nil {
		t.Fatalf("start mock: %v", err)
	}
	t.Cleanup(func() { run.Close() })
	return run, run.ServerURL
}

// noRedirectClient is an HTTP client that stops at redirects.
func noRedirectClient() *http.Client {
	return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// o1Req builds an OAuth 1 request signed by testsupport.Signer, every
// protocol parameter under the test's control.
type o1Req = testsupport.O1Req

// kv is one OAuth 1 parameter, unencoded.
type kv = testsupport.KV

func strp(s string) *string { return &s }

// do sends req and returns status, headers and body.
func do(t *testing.T, c *http.Client, req *http.Request) (int, http.Header, string) {
	t.Helper()
	return testsupport.Do(t, c, req)
}

// decodeJSON unmarshals body into a map.
func decodeJSON(t *testing.T, body string) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("decode %q: %v", body, err)
	}
	return v
}

// o1Config is a dghubble/oauth1 consumer of the mock at base.
func o1Config(t *testing.T, base, consumer, keyPEM, callback string) *oauth1.Config {
	t.Helper()
	return &oauth1.Config{
		ConsumerKey: consumer,
		CallbackURL: callback,
		Signer:      &oauth1.RSASigner{PrivateKey: testsupport.MustPrivateKey(t, keyPEM)},
		Noncer:      oauth1.Base64Noncer{}, // else dghubble writes it into the Config on each use
		Endpoint: oauth1.Endpoint{
			RequestTokenURL: base + "/plugins/servlet/oauth/request-token",
			AuthorizeURL:    base + "/plugins/servlet/oauth/authorize",
			AccessTokenURL:  base + "/plugins/servlet/oauth/access-token",
		},
		HTTPClient: noRedirectClient(),
	}
}

// dance3LO runs the 3-legged flow with auto-approve (or a form POST of
// "allow") and returns the access token.
func dance3LO(t *testing.T, cfg *oauth1.Config) (token, secret string) {
	t.Helper()
	return dance3LOWith(t, cfg, noRedirectClient())
}

// dance3LOWith is dance3LO with browser, a client that does not follow redirects.
func dance3LOWith(t *testing.T, cfg *oauth1.Config, browser *http.Client) (token, secret string) {
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

// signedGet performs a GET signed by dghubble/oauth1 with token (empty: 2LO).
func signedGet(t *testing.T, cfg *oauth1.Config, token, rawURL string) (int, http.Header, string) {
	t.Helper()
	client := cfg.Client(context.Background(), oauth1.NewToken(token, ""))
	req, err := http.NewRequest("GET", rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	return do(t, client, req)
}
