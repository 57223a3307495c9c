package conformance

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Server/DC building blocks shared by the Server cases (docs/bitbucket-behaviour.md#dc-oauth1, docs/bitbucket-behaviour.md#dc-oauth2, docs/bitbucket-behaviour.md#dc-tokens-rest-git).

func oauth1URL(s *Server, leg string) string { return s.URL + "/plugins/servlet/oauth/" + leg }

// signed sends an OAuth 1 signed request.
func (e *env) signed(t *testing.T, o oauth1Req) *response {
	t.Helper()
	req, err := o.build(e.now())
	if err != nil {
		t.Fatal(err)
	}
	return e.do(t, req)
}

const testCallback = "http://127.0.0.1/conformance/oauth1-callback"

// requestToken runs the request-token leg (docs/bitbucket-behaviour.md#dc-oauth1-wire) and returns the form.
func (e *env) requestToken(t *testing.T, s *Server, l *AppLink, callback string) url.Values {
	t.Helper()
	r := e.signed(t, oauth1Req{Method: http.MethodPost, URL: oauth1URL(s, "request-token"), Link: l, Callback: callback})
	wantStatus(t, r, http.StatusOK)
	v := r.form(t)
	if v.Get("oauth_token") == "" || v.Get("oauth_token_secret") == "" {
		t.Fatalf("request-token answer lacks oauth_token or oauth_token_secret: keys %v", keysOf(v))
	}
	return v
}

// authorizeOAuth1 approves a request token and returns the verifier from
// the redirect to the callback.
func (e *env) authorizeOAuth1(t *testing.T, s *Server, reqToken string) string {
	t.Helper()
	cb := redirectTo(t, e.authorize(t, oauth1URL(s, "authorize")+"?oauth_token="+url.QueryEscape(reqToken)))
	if got := cb.Query().Get("oauth_token"); got != reqToken {
		t.Errorf("callback oauth_token is not the request token")
	}
	v := cb.Query().Get("oauth_verifier")
	if v == "" || v == "denied" {
		t.Fatalf("callback carries no oauth_verifier (query keys %v)", keysOf(cb.Query()))
	}
	return v
}

// accessTokenLeg exchanges an authorized request token.
func (e *env) accessTokenLeg(t *testing.T, s *Server, l *AppLink, reqToken, verifier string) *response {
	t.Helper()
	return e.signed(t, oauth1Req{Method: http.MethodPost, URL: oauth1URL(s, "access-token"), Link: l,
		Token: reqToken, Verifier: verifier})
}

// oauth1Dance runs all three legs and returns the access-token answer.
func (e *env) oauth1Dance(t *testing.T, s *Server, l *AppLink) url.Values {
	t.Helper()
	rt := e.requestToken(t, s, l, testCallback).Get("oauth_token")
	ver := e.authorizeOAuth1(t, s, rt)
	r := e.accessTokenLeg(t, s, l, rt, ver)
	wantStatus(t, r, http.StatusOK)
	return r.form(t)
}

// oauth1Access returns an OAuth 1 access token of the session user for s.Link:
// by the 3-legged dance where the target approves consent pages, else the
// pre-authorized token of a real target.
func (e *env) oauth1Access(t *testing.T, s *Server) *OAuth1Token {
	t.Helper()
	need(t, s.Link != nil, "an application link (CONFORMANCE_SERVER_CONSUMER_KEY)")
	if _, ok := e.tgt.(AutoConsent); ok {
		v := e.oauth1Dance(t, s, s.Link)
		user := ""
		if s.User != nil {
			user = s.User.Slug
		}
		return &OAuth1Token{Token: v.Get("oauth_token"), Secret: v.Get("oauth_token_secret"), User: user}
	}
	if s.AccessToken == nil {
		t.Skipf("target %s approves no consent pages and has no pre-authorized access token (CONFORMANCE_SERVER_ACCESS_TOKEN_FILE)", e.tgt.Name())
	}
	return s.AccessToken
}

// whoAmI is a request that needs authentication and tells who the caller is
// through X-AUSERNAME (docs/bitbucket-behaviour.md#dc-identity, docs/bitbucket-behaviour.md#dc-oauth2).
func whoAmIURL(s *Server) string { return s.URL + "/rest/api/1.0/profile/recent/repos" }

// wantUser checks a 200 that ran as user.
func wantUser(t *testing.T, r *response, user string) {
	t.Helper()
	wantStatus(t, r, http.StatusOK)
	if got := r.header.Get("X-AUSERNAME"); !strings.EqualFold(got, user) {
		t.Fatalf("X-AUSERNAME = %q, want %q", got, user)
	}
}

// wantOAuthProblem checks an OAuth 1 problem report (docs/bitbucket-behaviour.md#oauth1-realm, docs/bitbucket-behaviour.md#dc-oauth1-problems): the
// status, and WWW-Authenticate: OAuth realm="<percent-encoded base URL>",
// oauth_problem="<problem>". The problem may be one of several.
func wantOAuthProblem(t *testing.T, s *Server, r *response, status int, problems ...string) url.Values {
	t.Helper()
	if r.status != status {
		t.Fatalf("want status %d with oauth_problem %v, got %s (WWW-Authenticate %q)", status, problems, r, r.header.Values("WWW-Authenticate"))
	}
	var h string
	for _, v := range r.header.Values("WWW-Authenticate") {
		if strings.HasPrefix(v, "OAuth ") {
			h = v
		}
	}
	if h == "" {
		t.Fatalf("no WWW-Authenticate: OAuth header (got %q)", r.header.Values("WWW-Authenticate"))
	}
	params := parseAuthParams(strings.TrimPrefix(h, "OAuth "))
	realm, ok := params["realm"]
	if !ok {
		t.Errorf("WWW-Authenticate has no realm: %q", h)
	}
	if strings.Contains(realm, "://") || !strings.Contains(realm, "%3A%2F%2F") {
		t.Errorf("realm %q is not a percent-encoded URL (docs/bitbucket-behaviour.md#oauth1-realm)", realm)
	} else if dec, err := url.PathUnescape(realm); err != nil || !strings.HasPrefix(s.URL, strings.TrimSuffix(dec, "/")) {
		t.Errorf("realm %q does not decode to the base URL %s", realm, s.URL)
	}
	got := params["oauth_problem"]
	found := false
	for _, p := range problems {
		found = found || got == p
	}
	if !found {
		t.Fatalf("oauth_problem = %q, want %v (header %q)", got, problems, h)
	}
	// The body carries the same parameters (docs/bitbucket-behaviour.md#dc-oauth1-problems).
	if body := strings.TrimSpace(string(r.body)); body != "" {
		if v, err := url.ParseQuery(body); err == nil && v.Has("oauth_problem") && v.Get("oauth_problem") != got {
			t.Errorf("body oauth_problem %q differs from the header's %q", v.Get("oauth_problem"), got)
		}
	}
	out := url.Values{}
	for k, v := range params {
		out.Set(k, v)
	}
	if v, err := url.ParseQuery(strings.TrimSpace(string(r.body))); err == nil {
		for k := range v {
			if !out.Has(k) {
				out.Set(k, v.Get(k))
			}
		}
	}
	return out
}

// parseAuthParams reads `k="v", k2="v2"` (values kept percent-encoded as sent,
// except oauth_* values which are decoded).
func parseAuthParams(s string) map[string]string {
	m := map[string]string{}
	for _, part := range splitParams(s) {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		v = strings.Trim(v, `"`)
		if k != "realm" {
			if d, err := url.PathUnescape(v); err == nil {
				v = d
			}
		}
		m[k] = v
	}
	return m
}

// splitParams splits on commas outside quotes.
func splitParams(s string) []string {
	var out []string
	inQ, start := false, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			inQ = !inQ
		case ',':
			if !inQ {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

// fiveYears is the OAuth 1 access token lifetime (docs/bitbucket-behaviour.md#dc-oauth1-wire).
const fiveYears = 5 * 365 * 24 * time.Hour
