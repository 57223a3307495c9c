package mockserver

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dghubble/oauth1"
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

// o1Req builds an OAuth 1 request signed with rfcSigner, every protocol
// parameter under the test's control.
type o1Req struct {
	key      string // private key PEM; "" = the test link's
	consumer string // "" = TestLinkConsumerKey
	token    *string
	ts       time.Time // zero = now
	nonce    string    // "" = random
	method   string    // signature method; "" = RSA-SHA1
	version  string    // "" = 1.0; "-" = omitted
	extra    []kv      // more protocol parameters (oauth_callback, oauth_verifier, ...)
	omit     string    // a protocol parameter to leave out
}

func strp(s string) *string { return &s }

func (o o1Req) build(t *testing.T, httpMethod, rawURL string) *http.Request {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	keyPEM := o.key
	if keyPEM == "" {
		keyPEM = testLinkPrivateKeyPEM
	}
	consumer := o.consumer
	if consumer == "" {
		consumer = TestLinkConsumerKey
	}
	ts := o.ts
	if ts.IsZero() {
		ts = time.Now()
	}
	nonce := o.nonce
	if nonce == "" {
		nonce = srvRandomAlnum(16)
	}
	method := o.method
	if method == "" {
		method = "RSA-SHA1"
	}
	proto := []kv{
		{"oauth_consumer_key", consumer},
		{"oauth_signature_method", method},
		{"oauth_timestamp", strconv.FormatInt(ts.Unix(), 10)},
		{"oauth_nonce", nonce},
	}
	switch o.version {
	case "":
		proto = append(proto, kv{"oauth_version", "1.0"})
	case "-":
	default:
		proto = append(proto, kv{"oauth_version", o.version})
	}
	if o.token != nil {
		proto = append(proto, kv{"oauth_token", *o.token})
	}
	proto = append(proto, o.extra...)
	var kept []kv
	for _, p := range proto {
		if p.k != o.omit {
			kept = append(kept, p)
		}
	}
	all := append([]kv{}, kept...)
	for k, vs := range u.Query() {
		for _, v := range vs {
			all = append(all, kv{k, v})
		}
	}
	s := rfcSigner{key: mustPrivateKey(t, keyPEM)}
	sig := s.sign(httpMethod, u.Scheme+"://"+strings.ToLower(u.Host)+u.EscapedPath(), all)
	if o.omit != "oauth_signature" {
		kept = append(kept, kv{"oauth_signature", sig})
	}
	parts := []string{}
	for _, p := range kept {
		parts = append(parts, rfcEncode(p.k)+`="`+rfcEncode(p.v)+`"`)
	}
	req, err := http.NewRequest(httpMethod, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "OAuth "+strings.Join(parts, ", "))
	return req
}

// do sends req and returns status, headers and body.
func do(t *testing.T, c *http.Client, req *http.Request) (int, http.Header, string) {
	t.Helper()
	if c == nil {
		c = noRedirectClient()
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(b)
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
		Signer:      &oauth1.RSASigner{PrivateKey: mustPrivateKey(t, keyPEM)},
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
