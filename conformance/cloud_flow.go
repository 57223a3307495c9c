package conformance

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// Cloud OAuth 2 building blocks shared by the Cloud cases (docs/bitbucket-behaviour.md#cloud-endpoints, docs/bitbucket-behaviour.md#cloud-grants, docs/bitbucket-behaviour.md#cloud-client-auth, docs/bitbucket-behaviour.md#cloud-2025-token-response, docs/bitbucket-behaviour.md#cloud-2025-refresh).

func cloudAuthorizeURL(c *Cloud, q url.Values) string {
	return c.URL + "/site/oauth2/authorize?" + q.Encode()
}

func cloudTokenURL(c *Cloud) string { return c.URL + "/site/oauth2/access_token" }

// authorize opens an authorize URL through the target's consent ability.
func (e *env) authorize(t *testing.T, u string) *response {
	t.Helper()
	resp, err := e.consent(t).Approve(e.ctx, e.http, u)
	if err != nil {
		t.Fatalf("authorize: %v", err)
	}
	return readResponse(t, resp)
}

// isRedirect says whether r redirects.
func isRedirect(r *response) bool {
	return r.status/100 == 3 && r.loc != ""
}

// redirectTo checks that r redirects and returns the target.
func redirectTo(t *testing.T, r *response) *url.URL {
	t.Helper()
	if !isRedirect(r) {
		t.Fatalf("want a redirect to the client's callback, got %s", r)
	}
	return mustURL(t, r.loc)
}

// wantErrorPage checks the answer to a misconfigured authorize request:
// an error page, not a redirect to the client (docs/bitbucket-behaviour.md#cloud-endpoints).
func wantErrorPage(t *testing.T, r *response) {
	t.Helper()
	if r.status/100 == 3 || r.loc != "" {
		t.Fatalf("want an error page, got a redirect (status %d)", r.status)
	}
	if r.status/100 != 4 {
		t.Fatalf("want a 4xx error page, got %s", r)
	}
}

// cloudCode runs the authorization-code front channel for k with state and
// the extra parameters, and returns the code and the callback URL.
func (e *env) cloudCode(t *testing.T, c *Cloud, k *Consumer, extra url.Values) (string, *url.URL) {
	t.Helper()
	q := url.Values{"client_id": {k.Key}, "response_type": {"code"}, "state": {"st-" + randomHex(6)}}
	for key, vs := range extra {
		q[key] = vs
	}
	cb := redirectTo(t, e.authorize(t, cloudAuthorizeURL(c, q)))
	if got := cb.Query().Get("state"); got != q.Get("state") {
		t.Fatalf("callback state = %q, want the state sent (%q)", got, q.Get("state"))
	}
	code := cb.Query().Get("code")
	if code == "" {
		t.Fatalf("callback carries no code (query keys %v)", keysOf(cb.Query()))
	}
	return code, cb
}

func keysOf(v url.Values) []string {
	var ks []string
	for k := range v {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// cloudToken posts to the token endpoint authenticated as k with Basic.
func (e *env) cloudToken(t *testing.T, c *Cloud, k *Consumer, form url.Values) *response {
	t.Helper()
	return e.postForm(t, cloudTokenURL(c), form, "Authorization", clientBasic(k.Key, k.Secret))
}

// wantCloudToken checks a successful Cloud token response in c's era.
// Era 2025 (docs/bitbucket-behaviour.md#cloud-2025-token-response): plural `scopes` and `state` = the grant type.
// Era 2026 (docs/bitbucket-behaviour.md#cloud-2026): singular `scope` and no `scopes`; on the mock also no
// `state` and a JWT-shaped access token (the mock's choices, checked only
// there). Both: lowercase `bearer`, expires_in 7200.
func wantCloudToken(t *testing.T, c *Cloud, r *response, grant string, wantRefresh bool) map[string]any {
	t.Helper()
	wantStatus(t, r, http.StatusOK)
	m := r.jsonObject(t)
	at := str(m, "access_token")
	if at == "" || !isURLSafe(at) {
		t.Errorf("access_token missing or not URL-safe (%d chars)", len(at))
	}
	if got := str(m, "token_type"); got != "bearer" {
		t.Errorf("token_type = %q, want %q", got, "bearer")
	}
	if got := number(t, m, "expires_in"); got != 7200 {
		t.Errorf("expires_in = %v, want 7200", got)
	}
	have, lack := "scopes", "scope"
	if c.modern() {
		have, lack = lack, have
	}
	if _, ok := m[have].(string); !ok {
		t.Errorf("%s = %#v, want a space-separated string (era %s)", have, m[have], c.Era)
	}
	if _, ok := m[lack]; ok {
		t.Errorf("response has a %q key; Cloud in era %s sends %q", lack, c.Era, have)
	}
	switch {
	case !c.modern():
		if got := str(m, "state"); got != grant {
			t.Errorf("state = %q, want the grant type %q", got, grant)
		}
	case c.Mock:
		if _, ok := m["state"]; ok {
			t.Errorf("era 2026 mock response has a state key")
		}
		if !jwtShaped(at) {
			t.Errorf("access token is not JWT-shaped: %d characters, %d dots", len(at), strings.Count(at, "."))
		}
	}
	rt, hasRT := m["refresh_token"].(string)
	if wantRefresh && rt == "" {
		t.Errorf("no refresh_token; the %s grant gives one", grant)
	}
	if !wantRefresh && hasRT {
		t.Errorf("refresh_token present; the %s grant gives none", grant)
	}
	if t.Failed() {
		t.FailNow()
	}
	return m
}

// tokenScopes is the granted scope string of a Cloud token response,
// under either key (docs/bitbucket-behaviour.md#cloud-2026, docs/bitbucket-behaviour.md#cloud-2025-token-response).
func tokenScopes(m map[string]any) string {
	if s := str(m, "scope"); s != "" {
		return s
	}
	return str(m, "scopes")
}

// jwtShaped: three dot-separated base64url parts, about 2,000 to 2,700
// characters (docs/bitbucket-behaviour.md#cloud-2026, the mock's range).
func jwtShaped(v string) bool {
	parts := strings.Split(v, ".")
	if len(parts) != 3 || len(v) < 2000 || len(v) > 2700 {
		return false
	}
	for _, p := range parts {
		if p == "" || strings.ContainsAny(p, "=+/~") || !isURLSafe(p) {
			return false
		}
	}
	return true
}

// scopeSet splits a space-separated scope string.
func scopeSet(s string) []string {
	f := strings.Fields(s)
	slices.Sort(f)
	return f
}

// cloudUserTokens returns a token response for a user of consumer k: by the
// authorization-code grant where the target approves consent pages, else by
// refreshing the pre-consented refresh token of a real target.
func (e *env) cloudUserTokens(t *testing.T, c *Cloud, k *Consumer) map[string]any {
	t.Helper()
	if _, ok := e.tgt.(AutoConsent); ok {
		code, _ := e.cloudCode(t, c, k, nil)
		return wantCloudToken(t, c, e.cloudToken(t, c, k, url.Values{"grant_type": {"authorization_code"}, "code": {code}}),
			"authorization_code", true)
	}
	if k != c.Private || c.RefreshToken == nil {
		t.Skipf("target %s approves no consent pages and has no pre-consented refresh token for %s", e.tgt.Name(), k.Key)
	}
	var m map[string]any
	err := c.RefreshToken.Use(func(rt string) (string, error) {
		r := e.cloudToken(t, c, k, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}})
		m = wantCloudToken(t, c, r, "refresh_token", true)
		return str(m, "refresh_token"), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// cloudClientCredentials returns a client-credentials token of k.
func (e *env) cloudClientCredentials(t *testing.T, c *Cloud, k *Consumer) map[string]any {
	t.Helper()
	r := e.cloudToken(t, c, k, url.Values{"grant_type": {"client_credentials"}})
	wantStatus(t, r, http.StatusOK)
	return r.jsonObject(t)
}

// pkce returns a verifier and its S256 challenge (RFC 7636).
func pkce() (verifier, challenge string) {
	verifier = randomHex(32)
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

// cloudUser calls GET /2.0/user with the given headers and query.
func (e *env) cloudUser(t *testing.T, c *Cloud, query string, hdr ...string) *response {
	t.Helper()
	u := c.APIURL + "/2.0/user"
	if query != "" {
		u += "?" + query
	}
	return e.get(t, u, hdr...)
}
