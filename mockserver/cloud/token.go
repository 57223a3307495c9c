package cloud

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/core"
)

// oauthError is the token endpoint's error body (docs/bitbucket-behaviour.md#cloud-token-errors).
type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

func tokenError(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Cache-Control", "no-store")
	core.JSONReply(w, status, oauthError{Error: code, Description: desc})
}

// Token endpoint errors. Texts marked OBS are observed on bitbucket.org
// (docs/bitbucket-behaviour.md#cloud-client-auth, docs/bitbucket-behaviour.md#cloud-2025-refresh, docs/bitbucket-behaviour.md#cloud-token-errors); the others are our choice (UNCONFIRMED).
var (
	errNoClientAuth   = oauthError{"unauthorized_client", "Requests must be authenticated using OAuth client credentials"} // OBS docs/bitbucket-behaviour.md#cloud-client-auth
	errBadClient      = oauthError{"unauthorized_client", "Invalid OAuth client credentials"}                              // UNCONFIRMED
	errNoCallback     = oauthError{"invalid_request", "No callback uri defined for the OAuth client."}                     // OBS docs/bitbucket-behaviour.md#cloud-endpoints
	errBadRefresh     = oauthError{"invalid_request", "Invalid refresh_token"}                                             // OBS docs/bitbucket-behaviour.md#cloud-2025-refresh
	errBadCode        = oauthError{"invalid_grant", "The specified code is not valid."}                                    // UNCONFIRMED
	errNotPrivate     = oauthError{"unauthorized_client", "Client credentials are only allowed for private consumers."}    // UNCONFIRMED
	errRedirectDiffer = oauthError{"invalid_grant", "redirect_uri does not match the authorization request"}               // UNCONFIRMED
)

// handleToken serves POST /site/oauth2/access_token (RFC 6749 §3.2; docs/bitbucket-behaviour.md#cloud-grants, docs/bitbucket-behaviour.md#cloud-client-auth, docs/bitbucket-behaviour.md#cloud-2025-token-response, docs/bitbucket-behaviour.md#cloud-2025-refresh, docs/bitbucket-behaviour.md#cloud-token-errors, docs/bitbucket-behaviour.md#cloud-jwt-grant).
func (s *State) handleToken(rw http.ResponseWriter, r *http.Request) {
	w := core.BufferResponse(rw) // the grants answer under s.mu: sent after it is released
	defer w.Flush()
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, "Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	authz := r.Header.Get("Authorization")
	if scheme, _, _ := strings.Cut(authz, " "); strings.EqualFold(scheme, "Bearer") {
		// docs/bitbucket-behaviour.md#cloud-client-auth: a Bearer header on the token endpoint gets an HTML page.
		authorizeErrorPage(w, "Bad request", "Unsupported authentication scheme.")
		return
	}
	if err := r.ParseForm(); err != nil {
		tokenError(w, http.StatusBadRequest, "invalid_request", "Malformed request body")
		return
	}
	form := r.PostForm
	grantType := form.Get("grant_type")
	core.Annotate(r, grantType, "", "")
	if strings.HasPrefix(authz, "JWT ") {
		s.jwtGrant(w, r, strings.TrimPrefix(authz, "JWT "))
		return
	}

	c, oerr := s.authenticateClient(r)
	if oerr != nil {
		tokenError(w, http.StatusUnauthorized, oerr.Error, oerr.Description)
		return
	}
	core.Annotate(r, "", c.Key, "")
	if c.CallbackURL == "" {
		tokenError(w, http.StatusBadRequest, errNoCallback.Error, errNoCallback.Description)
		return
	}
	switch grantType {
	case "authorization_code":
		s.codeGrant(w, r, c)
	case "client_credentials":
		s.clientCredentialsGrant(w, r, c)
	case "refresh_token":
		if s.modern() {
			s.refreshGrant2026(w, r, c)
		} else {
			s.refreshGrant2025(w, r, c)
		}
	default:
		// The password grant is gone (docs/bitbucket-behaviour.md#cloud-grants); it is answered like any
		// other unsupported grant, in the observed "Unsupported grant type:
		// None" shape (docs/bitbucket-behaviour.md#cloud-2025-refresh) — UNCONFIRMED for password itself.
		shown := grantType
		if shown == "" {
			shown = "None"
		}
		tokenError(w, http.StatusBadRequest, "invalid_grant", "Unsupported grant type: "+shown)
	}
}

// authenticateClient accepts HTTP Basic or client_id/client_secret form
// fields (docs/bitbucket-behaviour.md#cloud-client-auth). Basic credentials are taken as sent or URL-decoded
// (golang.org/x/oauth2 query-escapes them; curl -u does not).
func (s *State) authenticateClient(r *http.Request) (*Consumer, *oauthError) {
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
		if id == "" || secret == "" {
			return nil, &errNoClientAuth
		}
		if c := s.consumers[id]; c != nil && secretMatches(c.Secret, secret) {
			return c, nil
		}
		return nil, &errBadClient
	}
	for _, cand := range [][2]string{{id, secret}, {queryUnescaped(id), queryUnescaped(secret)}} {
		if c := s.consumers[cand[0]]; c != nil && secretMatches(c.Secret, cand[1]) {
			return c, nil
		}
	}
	return nil, &errBadClient
}

func secretMatches(want, got string) bool {
	return want != "" && subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1
}

func queryUnescaped(s string) string {
	if v, err := url.QueryUnescape(s); err == nil {
		return v
	}
	return s
}

func (s *State) sendTokens(w http.ResponseWriter, r *http.Request, resp cloudTokenResponse, user string) {
	core.Annotate(r, "", "", user)
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	core.JSONReply(w, http.StatusOK, resp)
}

// codeGrant exchanges an authorization code (RFC 6749 §4.1.3). Codes are
// single-use: a second exchange fails and revokes every token issued from
// the first (RFC 6749 §4.1.2).
func (s *State) codeGrant(w http.ResponseWriter, r *http.Request, c *Consumer) {
	form := r.PostForm
	s.mu.Lock()
	defer s.mu.Unlock()
	code, ok := s.codes[form.Get("code")]
	if !ok || code.client != c.Key {
		tokenError(w, http.StatusBadRequest, errBadCode.Error, errBadCode.Description)
		return
	}
	if code.used {
		if code.grant != nil {
			code.grant.revoked = true
		}
		tokenError(w, http.StatusBadRequest, errBadCode.Error, errBadCode.Description)
		return
	}
	if !s.m.Now().Before(code.expires) {
		tokenError(w, http.StatusBadRequest, errBadCode.Error, errBadCode.Description)
		return
	}
	if ru := form.Get("redirect_uri"); ru != "" && code.redirectURI != "" && ru != code.redirectURI {
		tokenError(w, http.StatusBadRequest, errRedirectDiffer.Error, errRedirectDiffer.Description)
		return
	}
	// No PKCE check: Cloud does not offer PKCE (BCLOUD-23469, docs/bitbucket-behaviour.md#cloud-endpoints)
	// and ignores code_challenge and code_verifier; GCM sends them, and a
	// live client sending S256 plus the secret worked in April 2026. A
	// mock that verified them would be stricter than Cloud (issue 11).
	code.used = true
	code.grant = s.newGrantLocked()
	resp := s.issueLocked(code.grant, accessToken{client: c.Key, user: code.user, scopes: code.scopes, kind: "authorization_code"}, true, c.LongTokens)
	s.sendTokens(w, r, resp, code.user)
}

// clientCredentialsGrant issues a token; only private consumers may (
// docs/bitbucket-behaviour.md#cloud-endpoints, docs/bitbucket-behaviour.md#cloud-grants). Era 2025: the token acts for the consumer's owner and comes with
// a refresh token (docs/bitbucket-behaviour.md#cloud-grants, docs/bitbucket-behaviour.md#cloud-2025-refresh: only implicit and JWT lack one). Era 2026
// (docs/bitbucket-behaviour.md#cloud-2026): no refresh token, and the token acts as the consumer's app
// user, which reaches only the workspace owning the consumer.
func (s *State) clientCredentialsGrant(w http.ResponseWriter, r *http.Request, c *Consumer) {
	if !c.Private {
		tokenError(w, http.StatusBadRequest, errNotPrivate.Error, errNotPrivate.Description)
		return
	}
	t := accessToken{client: c.Key, user: c.Owner, scopes: append([]string(nil), c.Scopes...), kind: "client_credentials"}
	if s.modern() {
		t.user, t.appUser = appUserName(c.Key), consumerWorkspace(c)
	}
	resp := s.issueNewGrant(t, !s.modern(), c.LongTokens)
	s.sendTokens(w, r, resp, t.user)
}

// refreshGrant2025 implements RFC 6749 §6 with the consumer's rotation policy:
// "none" returns the same refresh token (docs/bitbucket-behaviour.md#cloud-2025-refresh); "rotate" returns a new
// one each time, and a used one keeps working for the grace period
// (default 10 minutes) after its first use (docs/bitbucket-behaviour.md#cloud-refresh-rotation).
func (s *State) refreshGrant2025(w http.ResponseWriter, r *http.Request, c *Consumer) {
	v := r.PostForm.Get("refresh_token")
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.m.Now()
	rt, ok := s.refresh[v]
	if !ok || rt.client != c.Key || rt.grant.revoked ||
		(!rt.expires.IsZero() && !now.Before(rt.expires)) ||
		(!rt.usedAt.IsZero() && !now.Before(rt.usedAt.Add(rotationGrace(c)))) {
		tokenError(w, http.StatusBadRequest, errBadRefresh.Error, errBadRefresh.Description)
		return
	}
	resp := s.issueLocked(rt.grant, accessToken{client: c.Key, user: rt.user, scopes: rt.scopes, kind: "refresh_token"}, false, c.LongTokens)
	rt.lastUsed = now
	if c.RefreshRotation == "rotate" {
		if rt.usedAt.IsZero() {
			rt.usedAt = now
		}
		resp.RefreshToken = s.newRefreshLocked(rt.grant, c.Key, rt.user, rt.scopes, c.LongTokens)
	} else {
		resp.RefreshToken = v
	}
	s.sendTokens(w, r, resp, rt.user)
}

func rotationGrace(c *Consumer) time.Duration {
	if c.RefreshRotation != "rotate" {
		return 1<<63 - 1
	}
	if d, err := time.ParseDuration(c.RotationGrace); err == nil && c.RotationGrace != "" {
		return d
	}
	return cloudDefaultGrace
}
