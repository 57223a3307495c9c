package datacenter

// Bitbucket DC as an OAuth 2.0 provider (docs/bitbucket-behaviour.md#dc-oauth2): authorization code with
// optional PKCE (S256 only), rotating refresh tokens, DC's response shape.

import (
	"crypto/subtle"
	"net"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/core"
)

// dcScopes are DC's OAuth 2 scope names: the first four are confirmed, the
// rest follow the UI labels (UNCONFIRMED spellings, docs/bitbucket-behaviour.md#dc-oauth2).
var dcScopes = []string{"PUBLIC_REPOS", "REPO_READ", "REPO_WRITE", "REPO_ADMIN",
	"PROJECT_ADMIN", "ACCOUNT_WRITE", "ADMIN_WRITE", "SYSTEM_ADMIN"}

func dcKnownScope(s string) bool { return slices.Contains(dcScopes, s) }

// dcScopeLevel is the repository permission scopes allow; publicOnly when
// only PUBLIC_REPOS grants anything.
func dcScopeLevel(scopes []string) (level int, publicOnly bool) {
	for _, sc := range scopes {
		switch sc {
		case "REPO_READ":
			level = max(level, permRead)
		case "REPO_WRITE":
			level = max(level, permWrite)
		case "REPO_ADMIN", "PROJECT_ADMIN", "ADMIN_WRITE", "SYSTEM_ADMIN":
			level = max(level, permAdmin)
		}
	}
	if level == permNone && slices.Contains(scopes, "PUBLIC_REPOS") {
		return permRead, true
	}
	return level, false
}

// dcAccountWrite says whether scopes let a token change the account
// (create or delete HTTP access tokens): ACCOUNT_WRITE or an admin scope
// (UNCONFIRMED).
func dcAccountWrite(scopes []string) bool {
	return slices.ContainsFunc(scopes, func(s string) bool {
		return s == "ACCOUNT_WRITE" || s == "ADMIN_WRITE" || s == "SYSTEM_ADMIN"
	})
}

type dcCode struct {
	client      string
	user        string
	redirectURI string
	scopes      []string
	challenge   string // code_challenge, "" without PKCE
	method      string // S256 or plain
	expires     time.Time
}

type dcAccessToken struct {
	client  string
	user    string
	scopes  []string
	expires time.Time
}

type dcRefreshToken struct {
	client  string
	user    string
	scopes  []string
	expires time.Time
	public  bool // issued to a PKCE client that sent no secret: it may refresh without one
}

// dcAuthorizeRequest is a validated authorization request.
type dcAuthorizeRequest struct {
	client      *OAuth2Client
	redirectURI string
	state       string
	scopes      []string
	challenge   string
	method      string     // S256 or plain (oauth2_pkce.go)
	params      url.Values // as received, for the consent form
}

// redirectURIMatches is exact string match against a registered URI, or,
// for loopback http URIs, a match on everything but the port (RFC 8252
// §7.3). DC's own rule for loopback ports: UNCONFIRMED.
func redirectURIMatches(registered []string, got string) bool {
	if slices.Contains(registered, got) {
		return true
	}
	g, err := url.Parse(got)
	if err != nil || g.Scheme != "http" || !isLoopbackHost(g.Hostname()) || g.Fragment != "" {
		return false
	}
	for _, reg := range registered {
		u, err := url.Parse(reg)
		if err != nil || u.Scheme != "http" || !isLoopbackHost(u.Hostname()) {
			continue
		}
		if u.Hostname() == g.Hostname() && u.EscapedPath() == g.EscapedPath() && u.RawQuery == g.RawQuery {
			return true
		}
	}
	return false
}

func isLoopbackHost(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// parseDCAuthorize validates the request. Errors the client must not be
// redirected for (unknown client, bad redirect_uri) are answered with a
// page; the rest are redirected to the client (RFC 6749 §4.1.2.1).
func (s *State) parseDCAuthorize(w http.ResponseWriter, r *http.Request) (*dcAuthorizeRequest, bool) {
	if err := r.ParseForm(); err != nil {
		srvErrorPage(w, http.StatusBadRequest, "Invalid request", "The authorization request could not be read.")
		return nil, false
	}
	q := r.Form
	c := s.clients[q.Get("client_id")]
	if c == nil {
		srvErrorPage(w, http.StatusBadRequest, "Invalid client", "No OAuth 2 client is registered with this client_id.")
		return nil, false
	}
	ar := &dcAuthorizeRequest{client: c, redirectURI: q.Get("redirect_uri"), state: q.Get("state"), params: q}
	if ar.redirectURI == "" || !redirectURIMatches(c.RedirectURIs, ar.redirectURI) {
		srvErrorPage(w, http.StatusBadRequest, "Invalid redirect URI", "The redirect_uri does not match the client's registered redirect URIs.")
		return nil, false
	}
	fail := func(code, desc string) (*dcAuthorizeRequest, bool) {
		s.redirectDCError(w, r, ar, code, desc)
		return nil, false
	}
	if q.Get("response_type") != "code" {
		return fail("unsupported_response_type", "Only the authorization code flow is supported.")
	}
	requested := strings.Fields(q.Get("scope"))
	if len(requested) == 0 {
		requested = append([]string{}, c.Scopes...) // UNCONFIRMED: no scope asks for the client's scopes
	}
	for _, sc := range requested {
		if !slices.Contains(c.Scopes, sc) {
			req := append([]string{}, requested...)
			sort.Strings(req)
			have := append([]string{}, c.Scopes...)
			sort.Strings(have)
			return fail("invalid_scope", "The scope used in the request ['"+strings.Join(req, " ")+
				"'] is not valid for client scope ['"+strings.Join(have, " ")+"']")
		}
	}
	sort.Strings(requested)
	ar.scopes = slices.Compact(requested)
	ar.challenge = q.Get("code_challenge")
	method, mok := pkceMethod(q.Get("code_challenge_method"))
	switch {
	case ar.challenge == "" && q.Get("code_challenge_method") != "":
		return fail("invalid_request", "code_challenge is required with code_challenge_method.")
	case ar.challenge == "" && c.RequirePKCE:
		return fail("invalid_request", "This client requires PKCE (code_challenge with code_challenge_method=S256).")
	case ar.challenge != "" && !mok:
		return fail("invalid_request", "Unsupported code_challenge_method; use S256 or plain.")
	}
	ar.method = method
	return ar, true
}

func (s *State) redirectDCError(w http.ResponseWriter, r *http.Request, ar *dcAuthorizeRequest, code, desc string) {
	v := url.Values{"error": {code}, "error_description": {desc}}
	if ar.state != "" {
		v.Set("state", ar.state)
	}
	core.Annotate(r, "authorization_code", ar.client.ClientID, "")
	http.Redirect(w, r, appendQuery(ar.redirectURI, v), http.StatusFound)
}

// appendQuery adds v to the query of raw.
func appendQuery(raw string, v url.Values) string {
	sep := "?"
	if strings.Contains(raw, "?") {
		sep = "&"
	}
	return raw + sep + v.Encode()
}

// handleDCAuthorize is GET {base}/rest/oauth2/latest/authorize (the consent
// page) and its form's POST.
func (s *State) handleDCAuthorize(w http.ResponseWriter, r *http.Request) {
	ar, ok := s.parseDCAuthorize(w, r)
	if !ok {
		return
	}
	user := s.m.SessionUser(s.f.SessionUser)
	switch {
	case r.Method == http.MethodPost && r.PostForm.Get("decision") == "deny":
		s.redirectDCError(w, r, ar, "access_denied", "The user denied the request.")
		return
	case r.Method == http.MethodPost && r.PostForm.Get("decision") == "allow", s.autoApprove:
	default:
		s.dcConsentPage(w, r, ar, user)
		return
	}
	code := srvRandomToken(32)
	s.mu.Lock()
	s.dcCodes[code] = &dcCode{client: ar.client.ClientID, user: user, redirectURI: ar.redirectURI,
		scopes: ar.scopes, challenge: ar.challenge, method: ar.method, expires: s.m.Now().Add(dcCodeTTL)}
	s.mu.Unlock()
	core.Annotate(r, "authorization_code", ar.client.ClientID, user)
	v := url.Values{"code": {code}}
	if ar.state != "" {
		v.Set("state", ar.state)
	}
	http.Redirect(w, r, appendQuery(ar.redirectURI, v), http.StatusFound)
}

// dcTokenError is RFC 6749 §5.2.
func dcTokenError(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	srvJSON(w, status, map[string]string{"error": code, "error_description": desc})
}

// dcClientAuth authenticates the client: client_id and client_secret as
// form (or query) parameters, which DC documents, or HTTP Basic
// (UNCONFIRMED for DC, accepted).
func (s *State) dcClientAuth(w http.ResponseWriter, r *http.Request) (*OAuth2Client, bool) {
	id, secret := r.Form.Get("client_id"), r.Form.Get("client_secret")
	basic := false
	if bid, bsecret, ok := r.BasicAuth(); ok {
		if id != "" && id != bid {
			dcTokenError(w, http.StatusBadRequest, "invalid_request", "client_id differs between the body and the Authorization header.")
			return nil, false
		}
		id, secret, basic = bid, bsecret, true
	}
	c := s.clients[id]
	if c == nil || subtle.ConstantTimeCompare([]byte(secret), []byte(c.ClientSecret)) != 1 {
		if basic {
			w.Header().Set("WWW-Authenticate", `Basic realm="OAuth2 Client"`)
		}
		core.Annotate(r, r.Form.Get("grant_type"), id, "")
		dcTokenError(w, http.StatusUnauthorized, "invalid_client", "Client authentication failed.")
		return nil, false
	}
	return c, true
}

// handleDCToken is POST {base}/rest/oauth2/latest/token.
func (s *State) handleDCToken(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		dcTokenError(w, http.StatusBadRequest, "invalid_request", "The request body could not be read.")
		return
	}
	c, public := s.dcPublicClient(r) // PKCE without a secret (oauth2_pkce.go)
	if c == nil {
		var ok bool
		if c, ok = s.dcClientAuth(w, r); !ok {
			return
		}
	}
	grantType := r.Form.Get("grant_type")
	core.Annotate(r, grantType, c.ClientID, "")
	now := s.m.Now()
	var user string
	var scopes []string
	s.mu.Lock()
	switch grantType {
	case "authorization_code":
		code := s.dcCodes[r.Form.Get("code")]
		switch {
		case r.Form.Get("code") == "":
			s.mu.Unlock()
			dcTokenError(w, http.StatusBadRequest, "invalid_request", "code is required.")
			return
		case code == nil || code.client != c.ClientID || !now.Before(code.expires):
			s.mu.Unlock()
			dcTokenError(w, http.StatusBadRequest, "invalid_grant", "The authorization code is invalid or has expired.")
			return
		case r.Form.Get("redirect_uri") != code.redirectURI:
			s.mu.Unlock()
			dcTokenError(w, http.StatusBadRequest, "invalid_grant", "redirect_uri does not match the authorization request.")
			return
		case code.challenge != "" && !pkceMatches(code.challenge, code.method, r.Form.Get("code_verifier")):
			s.mu.Unlock()
			dcTokenError(w, http.StatusBadRequest, "invalid_grant", "The code_verifier does not match the code_challenge.")
			return
		case public && code.challenge == "":
			s.mu.Unlock()
			s.dcPublicRefused(w, r, c)
			return
		}
		delete(s.dcCodes, r.Form.Get("code")) // single use
		user, scopes = code.user, code.scopes
	case "refresh_token":
		old := r.Form.Get("refresh_token")
		rt := s.dcRefresh[old]
		if public && (rt == nil || !rt.public) {
			s.mu.Unlock()
			s.dcPublicRefused(w, r, c)
			return
		}
		if rt == nil || rt.client != c.ClientID || !now.Before(rt.expires) {
			s.mu.Unlock()
			dcTokenError(w, http.StatusBadRequest, "invalid_grant", "The refresh token is invalid or has expired.")
			return
		}
		scopes = rt.scopes
		if want := strings.Fields(r.Form.Get("scope")); len(want) > 0 {
			for _, sc := range want {
				if !slices.Contains(rt.scopes, sc) {
					s.mu.Unlock()
					dcTokenError(w, http.StatusBadRequest, "invalid_scope", "The requested scope exceeds the original grant.")
					return
				}
			}
			sort.Strings(want)
			scopes = slices.Compact(want)
		}
		delete(s.dcRefresh, old) // rotation: the old refresh token dies on use
		user = rt.user
	default:
		s.mu.Unlock()
		dcTokenError(w, http.StatusBadRequest, "unsupported_grant_type", "Supported grant types: authorization_code, refresh_token.")
		return
	}
	access, refresh := srvRandomToken(32), srvRandomToken(32)
	s.dcAccess[access] = &dcAccessToken{client: c.ClientID, user: user, scopes: scopes, expires: now.Add(dcAccessTokenTTL)}
	s.dcRefresh[refresh] = &dcRefreshToken{client: c.ClientID, user: user, scopes: scopes, expires: now.Add(dcRefreshTokenTTL), public: public}
	s.mu.Unlock()
	core.Annotate(r, grantType, c.ClientID, user)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	srvJSON(w, http.StatusOK, map[string]any{
		"scope":         strings.Join(scopes, " "),
		"access_token":  access,
		"token_type":    "bearer",
		"expires_in":    int(dcAccessTokenTTL / time.Second),
		"refresh_token": refresh,
	})
}
