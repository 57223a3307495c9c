package conformance

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// cloudAccess returns an access token of the private consumer (client
// credentials: the token acts for the consumer's owner).
func (e *env) cloudAccess(t *testing.T, c *Cloud, k *Consumer) string {
	t.Helper()
	need(t, k != nil, "a private Cloud consumer")
	return str(e.cloudClientCredentials(t, c, k), "access_token")
}

// wantCloudErrorEnvelope checks Cloud's JSON error envelope (docs/bitbucket-behaviour.md#cloud-401, docs/bitbucket-behaviour.md#cloud-user).
func wantCloudErrorEnvelope(t *testing.T, r *response) {
	t.Helper()
	m := r.jsonObject(t)
	inner, _ := m["error"].(map[string]any)
	if str(m, "type") != "error" || str(inner, "message") == "" {
		t.Errorf("body is not Cloud's error envelope {type: error, error: {message}}: %s", r)
	}
}

// Cloud REST: docs/bitbucket-behaviour.md#cloud-using-tokens, docs/bitbucket-behaviour.md#cloud-401, docs/bitbucket-behaviour.md#cloud-user, docs/bitbucket-behaviour.md#cloud-scopes.
func cloudRESTCases() []testCase {
	const area = "cloud-rest"
	return []testCase{
		{area: area, name: "user-bearer-header", fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			tok := ""
			if c.modern() { // a client-credentials token is an app user since 2026 (docs/bitbucket-behaviour.md#cloud-2026)
				need(t, c.Private != nil, "a Cloud consumer")
				tok = str(e.cloudUserTokens(t, c, c.Private), "access_token")
			} else {
				tok = e.cloudAccess(t, c, c.Private)
			}
			r := e.cloudUser(t, c, "", "Authorization", bearer(tok))
			wantStatus(t, r, http.StatusOK)
			m := r.jsonObject(t)
			if str(m, "type") != "user" || str(m, "username") == "" || str(m, "account_id") == "" {
				t.Errorf("user object lacks type=user, username or account_id: keys %v", keys(m))
			}
			if u := str(m, "uuid"); !strings.HasPrefix(u, "{") || !strings.HasSuffix(u, "}") {
				t.Errorf("uuid %q is not braced", u)
			}
			if _, mock := e.tgt.(Mock); mock && !c.modern() && str(m, "username") != c.Private.Owner {
				t.Errorf("client-credentials token acts for %q, want the consumer's owner %q", str(m, "username"), c.Private.Owner)
			}
		}},
		{area: area, name: "user-query-token", fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			tok := e.cloudAccess(t, c, c.Private)
			// Accepted before 2026 (docs/bitbucket-behaviour.md#cloud-using-tokens), refused since (docs/bitbucket-behaviour.md#cloud-2026).
			want := http.StatusOK
			if c.modern() {
				want = http.StatusUnauthorized
			}
			wantStatus(t, e.cloudUser(t, c, "access_token="+url.QueryEscape(tok)), want)
		}},
		{area: area, name: "user-basic-x-token-auth", fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			tok := e.cloudAccess(t, c, c.Private)
			// The mock took Basic on REST before 2026 (docs/bitbucket-behaviour.md#cloud-using-tokens, GCM); refused since (docs/bitbucket-behaviour.md#cloud-2026).
			want := http.StatusUnauthorized
			if !c.modern() {
				e.mockOnly(t, "Basic with an OAuth token on REST before 2026 is the mock's reading of docs/bitbucket-behaviour.md#cloud-using-tokens")
				want = http.StatusOK
			}
			wantStatus(t, e.cloudUser(t, c, "", "Authorization", basic("x-token-auth", tok)), want)
		}},
		{area: area, name: "user-authcode-acts-for-session-user", fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			need(t, c.Private != nil, "a Cloud consumer")
			e.consent(t)
			m := e.cloudUserTokens(t, c, c.Private)
			r := e.cloudUser(t, c, "", "Authorization", bearer(str(m, "access_token")))
			wantStatus(t, r, http.StatusOK)
			if got := str(r.jsonObject(t), "username"); got != c.SessionUser {
				t.Errorf("username = %q, want the consenting user %q", got, c.SessionUser)
			}
		}},
		{area: area, name: "user-needs-account-scope", fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			need(t, c.NoAccount != nil, "a private Cloud consumer without the account scope")
			r := e.cloudUser(t, c, "", "Authorization", bearer(e.cloudAccess(t, c, c.NoAccount)))
			wantStatus(t, r, http.StatusForbidden)
		}},
		{area: area, name: "x-oauth-scopes-header", fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			need(t, c.Private != nil, "a private Cloud consumer")
			m := e.cloudClientCredentials(t, c, c.Private)
			r := e.cloudUser(t, c, "", "Authorization", bearer(str(m, "access_token")))
			wantStatus(t, r, http.StatusOK)
			got := scopeSet(strings.ReplaceAll(r.header.Get("X-OAuth-Scopes"), ",", " "))
			if diff := cmp.Diff(scopeSet(tokenScopes(m)), got); diff != "" {
				t.Errorf("x-oauth-scopes vs the token's scopes (-want +got):\n%s", diff)
			}
			if acc := r.header.Get("X-Accepted-OAuth-Scopes"); !strings.Contains(acc, "account") {
				t.Errorf("x-accepted-oauth-scopes = %q, want it to name account (docs/bitbucket-behaviour.md#cloud-using-tokens)", acc)
			}
		}},
		{area: area, name: "expired-token-401", exclusive: true, fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			e.clock(t)
			tok := e.cloudAccess(t, c, c.Private)
			wantStatus(t, e.cloudUser(t, c, "", "Authorization", bearer(tok)), http.StatusOK)
			e.advance(t, 2*time.Hour+time.Minute) // expires_in 7200
			r := e.cloudUser(t, c, "", "Authorization", bearer(tok))
			wantStatus(t, r, http.StatusUnauthorized)
			wantCloudErrorEnvelope(t, r)
		}},
		{area: area, name: "still-valid-before-expiry", exclusive: true, fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			e.clock(t)
			tok := e.cloudAccess(t, c, c.Private)
			e.advance(t, 2*time.Hour-2*time.Minute)
			wantStatus(t, e.cloudUser(t, c, "", "Authorization", bearer(tok)), http.StatusOK)
		}},
		{area: area, name: "revoked-token-401", fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			tok := e.cloudAccess(t, c, c.Private)
			if err := e.revoker(t).Revoke(e.ctx, tok); err != nil {
				t.Fatalf("revoke: %v", err)
			}
			wantStatus(t, e.cloudUser(t, c, "", "Authorization", bearer(tok)), http.StatusUnauthorized)
		}},
		{area: area, name: "unknown-token-401-envelope", fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			r := e.cloudUser(t, c, "", "Authorization", bearer("conformance-"+randomHex(20)))
			wantStatus(t, r, http.StatusUnauthorized)
			wantCloudErrorEnvelope(t, r)
		}},
		{area: area, name: "bad-basic-plain-text-401", fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			r := e.cloudUser(t, c, "", "Authorization", basic("nobody-"+randomHex(3), "wrong"))
			wantChallenge(t, r, "Bitbucket.org HTTP")
			if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
				t.Errorf("Content-Type = %q, want text/plain (docs/bitbucket-behaviour.md#cloud-rest-401)", ct)
			}
		}},
		{area: area, name: "repositories-list", fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			need(t, c.Repo != nil, "a Cloud repository (CONFORMANCE_CLOUD_REPO)")
			r := e.get(t, c.APIURL+"/2.0/repositories/"+c.Repo.Workspace, "Authorization", bearer(e.cloudAccess(t, c, c.Private)))
			wantStatus(t, r, http.StatusOK)
			vals, _ := r.jsonObject(t)["values"].([]any)
			found := false
			for _, v := range vals {
				if m, ok := v.(map[string]any); ok && str(m, "slug") == c.Repo.Slug {
					found = true
				}
			}
			if !found {
				t.Errorf("workspace listing lacks %s", c.Repo.Path())
			}
		}},
		{area: area, name: "repository-get", fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			need(t, c.Repo != nil, "a Cloud repository (CONFORMANCE_CLOUD_REPO)")
			r := e.get(t, c.APIURL+"/2.0/repositories/"+c.Repo.Path(), "Authorization", bearer(e.cloudAccess(t, c, c.Private)))
			wantStatus(t, r, http.StatusOK)
			if got := str(r.jsonObject(t), "full_name"); !strings.EqualFold(got, c.Repo.Path()) {
				t.Errorf("full_name = %q, want %q", got, c.Repo.Path())
			}
		}},
		{area: area, name: "private-repository-anonymous-refused", fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			need(t, c.Repo != nil && c.Repo.Private, "a private Cloud repository")
			r := e.get(t, c.APIURL+"/2.0/repositories/"+c.Repo.Path())
			wantStatus(t, r, http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound)
		}},
		{area: area, name: "same-origin-api-prefix", fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			tok := e.cloudAccess(t, c, c.Private)
			wantStatus(t, e.get(t, c.URL+"/!api/2.0/user", "Authorization", bearer(tok)), http.StatusOK)
		}},
	}
}

// Cloud git over smart HTTP: docs/bitbucket-behaviour.md#git-challenge, docs/bitbucket-behaviour.md#cloud-git-usernames, docs/bitbucket-behaviour.md#cloud-using-tokens, docs/bitbucket-behaviour.md#git-http-requests.
func cloudGitCases() []testCase {
	const area = "cloud-git"
	withRepo := func(fn func(t *testing.T, e *env, c *Cloud, repo string)) func(*testing.T, *env) {
		return func(t *testing.T, e *env) {
			c := e.cloud(t)
			need(t, c.Repo != nil && c.Repo.Private, "a private Cloud repository (CONFORMANCE_CLOUD_REPO)")
			fn(t, e, c, cloudGitURL(c, *c.Repo))
		}
	}
	return []testCase{
		{area: area, name: "challenge-realm", fn: withRepo(func(t *testing.T, e *env, c *Cloud, repo string) {
			wantChallenge(t, e.infoRefs(t, repo, "git-upload-pack"), "Bitbucket.org HTTP")
		})},
		{area: area, name: "basic-x-token-auth", fn: withRepo(func(t *testing.T, e *env, c *Cloud, repo string) {
			tok := e.cloudAccess(t, c, c.Private)
			wantAdvertisement(t, e.infoRefs(t, repo, "git-upload-pack", "Authorization", basic("x-token-auth", tok)), "git-upload-pack")
		})},
		{area: area, name: "bearer", fn: withRepo(func(t *testing.T, e *env, c *Cloud, repo string) {
			tok := e.cloudAccess(t, c, c.Private)
			wantAdvertisement(t, e.infoRefs(t, repo, "git-upload-pack", "Authorization", bearer(tok)), "git-upload-pack")
		})},
		{area: area, name: "owner-username-with-token", fn: withRepo(func(t *testing.T, e *env, c *Cloud, repo string) {
			// docs/bitbucket-behaviour.md#cloud-using-tokens: GCM sends the account's username with the OAuth
			// token. Since 2026 a client-credentials token is an app user
			// with no username (docs/bitbucket-behaviour.md#cloud-2026), so a user's token is used.
			tok, user := "", c.Private.Owner
			if c.modern() {
				tok, user = str(e.cloudUserTokens(t, c, c.Private), "access_token"), c.SessionUser
			} else {
				tok = e.cloudAccess(t, c, c.Private)
			}
			wantAdvertisement(t, e.infoRefs(t, repo, "git-upload-pack", "Authorization", basic(user, tok)), "git-upload-pack")
		})},
		{area: area, name: "bad-token-challenge", fn: withRepo(func(t *testing.T, e *env, c *Cloud, repo string) {
			wantChallenge(t, e.infoRefs(t, repo, "git-upload-pack", "Authorization", basic("x-token-auth", "bad-"+randomHex(10))), "Bitbucket.org HTTP")
		})},
		{area: area, name: "push-needs-write-scope", fn: withRepo(func(t *testing.T, e *env, c *Cloud, repo string) {
			need(t, c.ReadOnly != nil, "a private Cloud consumer without repository:write")
			tok := e.cloudAccess(t, c, c.ReadOnly)
			auth := basic("x-token-auth", tok)
			wantAdvertisement(t, e.infoRefs(t, repo, "git-upload-pack", "Authorization", auth), "git-upload-pack")
			wantStatus(t, e.infoRefs(t, repo, "git-receive-pack", "Authorization", auth), http.StatusForbidden)
		})},
		{area: area, name: "push-allowed-with-write-scope", fn: withRepo(func(t *testing.T, e *env, c *Cloud, repo string) {
			tok := e.cloudAccess(t, c, c.Private)
			wantAdvertisement(t, e.infoRefs(t, repo, "git-receive-pack", "Authorization", basic("x-token-auth", tok)), "git-receive-pack")
		})},
		{area: area, name: "expired-token-401", exclusive: true, fn: withRepo(func(t *testing.T, e *env, c *Cloud, repo string) {
			e.clock(t)
			tok := e.cloudAccess(t, c, c.Private)
			e.advance(t, 2*time.Hour+time.Minute)
			wantStatus(t, e.infoRefs(t, repo, "git-upload-pack", "Authorization", basic("x-token-auth", tok)), http.StatusUnauthorized)
		})},
		{area: area, name: "clone-and-push-real-git", fn: withRepo(func(t *testing.T, e *env, c *Cloud, repo string) {
			if _, ok := e.tgt.(Mock); !ok {
				t.Skip("pushes a branch; run only against the mock")
			}
			tok := e.cloudAccess(t, c, c.Private)
			cloneAndPush(t, repo, gitEnv(t, "x-token-auth", tok))
		})},
		{area: area, name: "real-git-no-credentials-fails", fn: withRepo(func(t *testing.T, e *env, c *Cloud, repo string) {
			out, err := gitCommand(t.TempDir(), gitEnv(t, "", ""), "ls-remote", repo)
			if err == nil {
				t.Fatalf("ls-remote of a private repository without credentials succeeded")
			}
			if !strings.Contains(out, "Authentication failed") && !strings.Contains(out, "could not read Username") {
				t.Errorf("git did not report an authentication failure:\n%s", out)
			}
		})},
	}
}
