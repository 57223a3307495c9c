package conformance

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Server/DC building blocks shared by the Server cases (facts B, C, D).

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

// requestToken runs the request-token leg (facts B2) and returns the form.
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
// through X-AUSERNAME (facts 0.9, C).
func whoAmIURL(s *Server) string { return s.URL + "/rest/api/1.0/profile/recent/repos" }

// wantUser checks a 200 that ran as user.
func wantUser(t *testing.T, r *response, user string) {
	t.Helper()
	wantStatus(t, r, http.StatusOK)
	if got := r.header.Get("X-AUSERNAME"); !strings.EqualFold(got, user) {
		t.Fatalf("X-AUSERNAME = %q, want %q", got, user)
	}
}

// wantOAuthProblem checks an OAuth 1 problem report (facts 0.6, B3): the
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
		t.Errorf("realm %q is not a percent-encoded URL (facts 0.6)", realm)
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
	// The body carries the same parameters (facts B3).
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

// DC OAuth 2 (facts C).

func dcAuthorizeURL(s *Server, q url.Values) string {
	return s.URL + "/rest/oauth2/latest/authorize?" + q.Encode()
}

func dcTokenURL(s *Server) string { return s.URL + "/rest/oauth2/latest/token" }

// dcCode runs the DC authorize step with PKCE S256 and returns code and verifier.
func (e *env) dcCode(t *testing.T, s *Server, extra url.Values) (code, verifier string) {
	t.Helper()
	cl := s.OAuth2
	verifier, challenge := pkce()
	q := url.Values{"client_id": {cl.ID}, "redirect_uri": {cl.RedirectURI}, "response_type": {"code"},
		"state": {"dc-" + randomHex(4)}, "scope": {strings.Join(cl.Scopes, " ")},
		"code_challenge": {challenge}, "code_challenge_method": {"S256"}}
	for k, v := range extra {
		q[k] = v
	}
	cb := redirectTo(t, e.authorize(t, dcAuthorizeURL(s, q)))
	if cb.Query().Get("state") != q.Get("state") {
		t.Fatalf("callback state is not the state sent")
	}
	if cb.Query().Get("code") == "" {
		t.Fatalf("callback carries no code (query keys %v)", keysOf(cb.Query()))
	}
	return cb.Query().Get("code"), verifier
}

func (e *env) dcToken(t *testing.T, s *Server, form url.Values) *response {
	t.Helper()
	f := url.Values{"client_id": {s.OAuth2.ID}, "client_secret": {s.OAuth2.Secret}}
	for k, v := range form {
		f[k] = v
	}
	return e.postForm(t, dcTokenURL(s), f)
}

// wantDCToken checks DC's token response shape (facts 0.2, C).
func wantDCToken(t *testing.T, r *response) map[string]any {
	t.Helper()
	wantStatus(t, r, http.StatusOK)
	m := r.jsonObject(t)
	if str(m, "access_token") == "" || str(m, "refresh_token") == "" {
		t.Errorf("access_token or refresh_token missing: keys %v", keys(m))
	}
	if !strings.EqualFold(str(m, "token_type"), "bearer") {
		t.Errorf("token_type = %q, want bearer", str(m, "token_type"))
	}
	if got := number(t, m, "expires_in"); got != 3600 {
		t.Errorf("expires_in = %v, want 3600", got)
	}
	if _, ok := m["scope"].(string); !ok {
		t.Errorf("scope = %#v, want a string under the singular key", m["scope"])
	}
	if _, ok := m["scopes"]; ok {
		t.Errorf("response has Cloud's %q key; DC sends %q", "scopes", "scope")
	}
	if t.Failed() {
		t.FailNow()
	}
	return m
}

// dcTokens returns a DC OAuth 2 token response: by authorization code with
// consent, or by refreshing a real target's stored refresh token.
func (e *env) dcTokens(t *testing.T, s *Server) map[string]any {
	t.Helper()
	need(t, s.OAuth2 != nil, "a DC OAuth 2 client (CONFORMANCE_SERVER_OAUTH2_CLIENT_ID)")
	if _, ok := e.tgt.(AutoConsent); ok {
		code, ver := e.dcCode(t, s, nil)
		return wantDCToken(t, e.dcToken(t, s, url.Values{"grant_type": {"authorization_code"}, "code": {code},
			"redirect_uri": {s.OAuth2.RedirectURI}, "code_verifier": {ver}}))
	}
	if s.OAuth2Refresh == nil {
		t.Skipf("target %s approves no consent pages and has no DC refresh token (CONFORMANCE_SERVER_OAUTH2_REFRESH_TOKEN_FILE)", e.tgt.Name())
	}
	var m map[string]any
	err := s.OAuth2Refresh.Use(func(rt string) (string, error) {
		m = wantDCToken(t, e.dcToken(t, s, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}))
		return str(m, "refresh_token"), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// HTTP access tokens (facts D1).

func tokensURL(s *Server, user string) string {
	return s.URL + "/rest/access-tokens/1.0/users/" + url.PathEscape(user)
}

// createHTTPToken creates a personal HTTP access token for tok's user,
// authenticated as the helper does it (OAuth 1 signed).
func (e *env) createHTTPToken(t *testing.T, s *Server, tok *OAuth1Token, body string) *response {
	t.Helper()
	need(t, tok.User != "", "the user of the OAuth 1 access token (CONFORMANCE_SERVER_USER)")
	return e.signed(t, oauth1Req{Method: http.MethodPut, URL: tokensURL(s, tok.User), Link: s.Link, Token: tok.Token,
		Body: []byte(body), ContentType: "application/json"})
}

// httpToken is a created personal HTTP access token.
type httpToken struct {
	id, token string
	owner     *OAuth1Token // the OAuth 1 token it was created with
}

// newHTTPToken creates a token with perms and expiry for the session user.
func (e *env) newHTTPToken(t *testing.T, s *Server, expiryDays int, perms ...string) httpToken {
	t.Helper()
	if len(perms) == 0 {
		perms = []string{"REPO_READ", "REPO_WRITE"}
	}
	owner := e.oauth1Access(t, s)
	body := `{"name":"conformance-` + randomHex(4) + `","permissions":["` + strings.Join(perms, `","`) + `"],"expiryDays":` + strconv.Itoa(expiryDays) + `}`
	r := e.createHTTPToken(t, s, owner, body)
	wantStatus(t, r, http.StatusOK, http.StatusCreated)
	m := r.jsonObject(t)
	h := httpToken{id: str(m, "id"), token: str(m, "token"), owner: owner}
	if h.id == "" || h.token == "" {
		t.Fatalf("created token lacks id or token: keys %v", keys(m))
	}
	if _, mock := e.tgt.(Mock); !mock {
		t.Cleanup(func() { e.deleteHTTPToken(t, s, h) })
	}
	return h
}

func (e *env) deleteHTTPToken(t *testing.T, s *Server, h httpToken) *response {
	t.Helper()
	return e.signed(t, oauth1Req{Method: http.MethodDelete, URL: tokensURL(s, h.owner.User) + "/" + url.PathEscape(h.id),
		Link: s.Link, Token: h.owner.Token})
}

// fiveYears is the OAuth 1 access token lifetime (facts B2).
const fiveYears = 5 * 365 * 24 * time.Hour
