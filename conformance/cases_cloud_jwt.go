package conformance

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"
)

// jwtOpts vary one thing of a Connect JWT (docs/bitbucket-behaviour.md#cloud-jwt-grant).
type jwtOpts struct {
	secret  string // signing secret; "" = the app's
	sub     string // "" = the app's client key
	iat     time.Time
	exp     time.Time
	qsh     string // "" = correct; "-" = omit
	withQSH bool
}

func connectQSH(method, path string) string {
	sum := sha256.Sum256([]byte(method + "&" + path + "&"))
	return hex.EncodeToString(sum[:])
}

func (e *env) connectJWT(t *testing.T, a *ConnectApp, o jwtOpts) string {
	t.Helper()
	now := e.now()
	if o.iat.IsZero() {
		o.iat = now
	}
	if o.exp.IsZero() {
		o.exp = now.Add(3 * time.Minute)
	}
	claims := jwt.MapClaims{"iss": a.Key, "sub": a.ClientKey, "iat": o.iat.Unix(), "exp": o.exp.Unix()}
	if o.sub != "" {
		claims["sub"] = o.sub
	}
	switch o.qsh {
	case "":
		claims["qsh"] = connectQSH("POST", "/site/oauth2/access_token")
	case "-":
	default:
		claims["qsh"] = o.qsh
	}
	secret := a.SharedSecret
	if o.secret != "" {
		secret = o.secret
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(secret))
	if err != nil {
		t.Fatalf("sign JWT: %v", err)
	}
	return s
}

func (e *env) jwtGrant(t *testing.T, c *Cloud, tok, scheme string, extra url.Values) *response {
	t.Helper()
	form := url.Values{"grant_type": {"urn:bitbucket:oauth2:jwt"}}
	for k, v := range extra {
		form[k] = v
	}
	return e.postForm(t, cloudTokenURL(c), form, "Authorization", scheme+" "+tok)
}

// Cloud JWT grant for Connect apps: docs/bitbucket-behaviour.md#cloud-jwt-grant.
func cloudJWTCases() []testCase {
	const area = "cloud-jwt"
	withApp := func(fn func(t *testing.T, e *env, c *Cloud, a *ConnectApp)) func(*testing.T, *env) {
		return func(t *testing.T, e *env) {
			c := e.cloud(t)
			need(t, c.Connect != nil, "a Connect app (CONFORMANCE_CLOUD_JWT_*)")
			fn(t, e, c, c.Connect)
		}
	}
	// jwtRefused: the grant fails with an OAuth error and no token. The
	// exact code for each JWT problem is UNCONFIRMED; any client error.
	jwtRefused := func(t *testing.T, r *response) {
		t.Helper()
		wantOAuth2Error(t, r, 0, "invalid_grant", "invalid_request", "unauthorized_client", "invalid_client")
	}
	return []testCase{
		{area: area, name: "good", fn: withApp(func(t *testing.T, e *env, c *Cloud, a *ConnectApp) {
			m := wantCloudToken(t, c, e.jwtGrant(t, c, e.connectJWT(t, a, jwtOpts{}), "JWT", nil), "urn:bitbucket:oauth2:jwt", false)
			if diff := cmp.Diff(scopeSet(strings.Join(a.Scopes, " ")), scopeSet(tokenScopes(m))); diff != "" {
				t.Errorf("scopes differ from the app's (-want +got):\n%s", diff)
			}
		})},
		{area: area, name: "no-qsh-accepted", fn: withApp(func(t *testing.T, e *env, c *Cloud, a *ConnectApp) {
			// docs/bitbucket-behaviour.md#cloud-jwt-grant: clients that omit qsh succeed.
			wantStatus(t, e.jwtGrant(t, c, e.connectJWT(t, a, jwtOpts{qsh: "-"}), "JWT", nil), http.StatusOK)
		})},
		{area: area, name: "scope-narrowing", fn: withApp(func(t *testing.T, e *env, c *Cloud, a *ConnectApp) {
			need(t, len(a.Scopes) > 1, "a Connect app with more than one scope")
			r := e.jwtGrant(t, c, e.connectJWT(t, a, jwtOpts{}), "JWT", url.Values{"scope": {a.Scopes[0]}})
			wantStatus(t, r, http.StatusOK)
			if got := tokenScopes(r.jsonObject(t)); got != a.Scopes[0] {
				t.Errorf("scopes = %q, want the requested subset %q", got, a.Scopes[0])
			}
		})},
		{area: area, name: "bad-signature", fn: withApp(func(t *testing.T, e *env, c *Cloud, a *ConnectApp) {
			jwtRefused(t, e.jwtGrant(t, c, e.connectJWT(t, a, jwtOpts{secret: "not-the-shared-secret"}), "JWT", nil))
		})},
		{area: area, name: "expired", fn: withApp(func(t *testing.T, e *env, c *Cloud, a *ConnectApp) {
			now := e.now()
			jwtRefused(t, e.jwtGrant(t, c, e.connectJWT(t, a, jwtOpts{iat: now.Add(-time.Hour), exp: now.Add(-50 * time.Minute)}), "JWT", nil))
		})},
		{area: area, name: "expired-by-clock", exclusive: true, fn: withApp(func(t *testing.T, e *env, c *Cloud, a *ConnectApp) {
			e.clock(t)
			tok := e.connectJWT(t, a, jwtOpts{})
			e.advance(t, 10*time.Minute)
			jwtRefused(t, e.jwtGrant(t, c, tok, "JWT", nil))
		})},
		{area: area, name: "wrong-qsh", fn: withApp(func(t *testing.T, e *env, c *Cloud, a *ConnectApp) {
			// Whether Cloud checks qsh is UNCONFIRMED (docs/bitbucket-behaviour.md#cloud-jwt-grant); the mock
			// checks it when present, as Connect's own verifier does.
			e.mockOnly(t, "whether real Cloud checks qsh on the token endpoint is unconfirmed (docs/bitbucket-behaviour.md#cloud-jwt-grant)")
			jwtRefused(t, e.jwtGrant(t, c, e.connectJWT(t, a, jwtOpts{qsh: connectQSH("GET", "/2.0/user")}), "JWT", nil))
		})},
		{area: area, name: "wrong-sub", fn: withApp(func(t *testing.T, e *env, c *Cloud, a *ConnectApp) {
			jwtRefused(t, e.jwtGrant(t, c, e.connectJWT(t, a, jwtOpts{sub: "not-an-installation-" + randomHex(4)}), "JWT", nil))
		})},
		{area: area, name: "bearer-scheme-refused", fn: withApp(func(t *testing.T, e *env, c *Cloud, a *ConnectApp) {
			// docs/bitbucket-behaviour.md#cloud-jwt-grant: the scheme is JWT, not Bearer.
			r := e.jwtGrant(t, c, e.connectJWT(t, a, jwtOpts{}), "Bearer", nil)
			wantClientError(t, r)
		})},
		{area: area, name: "token-clones-installed-workspace", fn: withApp(func(t *testing.T, e *env, c *Cloud, a *ConnectApp) {
			need(t, c.Repo != nil && c.Repo.Workspace == a.InstalledFor, "a repository in the app's workspace")
			r := e.jwtGrant(t, c, e.connectJWT(t, a, jwtOpts{}), "JWT", nil)
			wantStatus(t, r, http.StatusOK)
			tok := str(r.jsonObject(t), "access_token")
			wantStatus(t, e.infoRefs(t, cloudGitURL(c, *c.Repo), "git-upload-pack", "Authorization", basic("x-token-auth", tok)), http.StatusOK)
		})},
	}
}
