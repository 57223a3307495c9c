package conformance

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Cloud since 2026-05-04 (docs/bitbucket-behaviour.md#cloud-2026): token shape, client credentials as an
// app user, Bearer-only REST. Each case says which era it checks and skips
// in the other; the era-2025 behaviour has its cases beside the old ones.
func cloudEraCases() []testCase {
	const area = "cloud-2026"
	modern := func(fn func(t *testing.T, e *env, c *Cloud)) func(*testing.T, *env) {
		return func(t *testing.T, e *env) {
			c := e.cloud(t)
			if !c.modern() {
				t.Skipf("era %s target: checks Cloud since 2026-05-04 (docs/bitbucket-behaviour.md#cloud-2026)", c.Era)
			}
			fn(t, e, c)
		}
	}
	return []testCase{
		{area: area, name: "scope-singular", fn: modern(func(t *testing.T, e *env, c *Cloud) {
			need(t, c.Private != nil, "a Cloud consumer")
			// What a real Cloud shows: `scope`, a space-separated string, no `scopes`.
			m := e.cloudUserTokens(t, c, c.Private)
			if sc, ok := m["scope"].(string); !ok || strings.TrimSpace(sc) == "" || m["scopes"] != nil {
				t.Errorf("scope %#v, scopes %#v: want a non-empty scope string and no scopes", m["scope"], m["scopes"])
			}
		})},
		{area: area, name: "access-token-jwt-shaped", fn: modern(func(t *testing.T, e *env, c *Cloud) {
			need(t, c.Private != nil, "a Cloud consumer")
			e.mockOnly(t, "token length is observed, not documented (docs/bitbucket-behaviour.md#cloud-2026, OBS)")
			for _, at := range []string{str(e.cloudClientCredentials(t, c, c.Private), "access_token"), str(e.cloudUserTokens(t, c, c.Private), "access_token")} {
				if !jwtShaped(at) {
					t.Errorf("access token of %d characters, %d dots: want three base64url parts, 2,000 to 2,700 characters", len(at), strings.Count(at, "."))
				}
			}
		})},
		{area: area, name: "client-credentials-no-refresh-token", fn: modern(func(t *testing.T, e *env, c *Cloud) {
			need(t, c.Private != nil, "a private Cloud consumer")
			m := e.cloudClientCredentials(t, c, c.Private)
			if _, ok := m["refresh_token"]; ok {
				t.Errorf("client credentials gave a refresh token (docs/bitbucket-behaviour.md#cloud-2026: none since 2026-05-04)")
			}
		})},
		{area: area, name: "client-credentials-app-user", fn: modern(func(t *testing.T, e *env, c *Cloud) {
			need(t, c.Private != nil, "a private Cloud consumer")
			r := e.cloudUser(t, c, "", "Authorization", bearer(e.cloudAccess(t, c, c.Private)))
			wantStatus(t, r, http.StatusOK)
			m := r.jsonObject(t)
			// docs/bitbucket-behaviour.md#cloud-2026: an app user, not the consumer's owner.
			if c.Private.Owner != "" && str(m, "username") == c.Private.Owner {
				t.Errorf("client-credentials token acts for the owner %q; since 2026 it is an app user", c.Private.Owner)
			}
			if c.Mock && str(m, "type") != "app_user" { // the mock's UNCONFIRMED choice
				t.Errorf("type = %q, want app_user", str(m, "type"))
			}
		})},
		{area: area, name: "personal-workspace-only", fn: modern(func(t *testing.T, e *env, c *Cloud) {
			k := c.Personal
			need(t, k != nil && c.Repo != nil && c.Repo.Private && c.Repo.Workspace != k.Workspace,
				"a private consumer of a personal workspace and a private repository elsewhere")
			tok := bearer(e.cloudAccess(t, c, k))
			wantStatus(t, e.get(t, c.APIURL+"/2.0/repositories/"+url.PathEscape(k.Workspace), "Authorization", tok), http.StatusOK)
			wantStatus(t, e.get(t, c.APIURL+"/2.0/repositories/"+c.Repo.Path(), "Authorization", tok), http.StatusNotFound, http.StatusForbidden)
			r := e.infoRefs(t, cloudGitURL(c, *c.Repo), "git-upload-pack", "Authorization", basic("x-token-auth", e.cloudAccess(t, c, k)))
			wantStatus(t, r, http.StatusNotFound, http.StatusForbidden)
		})},
		{area: area, name: "rest-bearer-only", fn: modern(func(t *testing.T, e *env, c *Cloud) {
			need(t, c.Private != nil, "a Cloud consumer")
			tok := str(e.cloudUserTokens(t, c, c.Private), "access_token")
			wantStatus(t, e.cloudUser(t, c, "", "Authorization", bearer(tok)), http.StatusOK)
			// docs/bitbucket-behaviour.md#cloud-2026: no query parameter, no form body; Basic on REST is refused too.
			wantStatus(t, e.cloudUser(t, c, "access_token="+url.QueryEscape(tok)), http.StatusUnauthorized)
			form := []int{http.StatusUnauthorized}
			if !c.Mock {
				form = append(form, http.StatusMethodNotAllowed) // /2.0/user takes no POST
			}
			wantStatus(t, e.postForm(t, c.APIURL+"/2.0/user", url.Values{"access_token": {tok}}), form...)
			wantStatus(t, e.cloudUser(t, c, "", "Authorization", basic("x-token-auth", tok)), http.StatusUnauthorized)
		})},
		{area: area, name: "git-x-token-auth-jwt", fn: modern(func(t *testing.T, e *env, c *Cloud) {
			need(t, c.Private != nil && c.Repo != nil && c.Repo.Private, "a Cloud consumer and a private repository")
			// Git over HTTPS keeps x-token-auth + the (long) token as the Basic password.
			tok := str(e.cloudUserTokens(t, c, c.Private), "access_token")
			out, err := gitCommand(t.TempDir(), gitEnv(t, "x-token-auth", tok), "ls-remote", cloudGitURL(c, *c.Repo))
			if err != nil {
				t.Fatalf("git ls-remote with a %d-character token: %v\n%s", len(tok), err, out)
			}
		})},
	}
}
