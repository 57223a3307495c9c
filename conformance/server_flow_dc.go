package conformance

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// DC OAuth 2 (docs/bitbucket-behaviour.md#dc-oauth2).

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

// wantDCToken checks DC's token response shape (docs/bitbucket-behaviour.md#dc-oauth2-token-response, docs/bitbucket-behaviour.md#dc-oauth2).
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

// HTTP access tokens (docs/bitbucket-behaviour.md#dc-access-tokens).

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
