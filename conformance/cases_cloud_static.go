package conformance

import (
	"net/http"
	"testing"

	"github.com/bbcred/git-credential-bitbucket/mockserver"
)

// staticFromFixtures picks an API token (with repo, which every fixture
// user may read) and a repository access token from a mock's fixtures.
func staticFromFixtures(f mockserver.CloudFixtures, repo *CloudRepo) (api, access *StaticToken) {
	if len(f.APITokens) > 0 && repo != nil {
		a := f.APITokens[0]
		api = &StaticToken{Token: a.Token, User: a.User, Email: a.Email, Workspace: repo.Workspace, Slug: repo.Slug}
	}
	for _, a := range f.AccessTokens {
		if a.Scope == "repository" {
			access = &StaticToken{Token: a.Token, Workspace: a.Workspace, Slug: a.Repository}
			break
		}
	}
	return api, access
}

// gitRefs is the upload-pack advertisement of the token's repository.
func (s *StaticToken) gitRefs(c *Cloud) string {
	return c.URL + "/" + s.Workspace + "/" + s.Slug + ".git/info/refs?service=git-upload-pack"
}

// Static Cloud credentials: docs/bitbucket-behaviour.md#cloud-api-tokens
// (API tokens: git with the Bitbucket username or x-bitbucket-api-token-auth,
// the e-mail refused; REST only with the e-mail) and
// docs/bitbucket-behaviour.md#cloud-access-tokens (git with x-token-auth,
// REST with Bearer).
func cloudStaticCases() []testCase {
	const area = "cloud-static"
	return []testCase{
		{area: area, name: "api-token-rest-email", fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			need(t, c.APIToken != nil, "a Cloud API token")
			r := e.cloudUser(t, c, "", "Authorization", basic(c.APIToken.Email, c.APIToken.Token))
			wantStatus(t, r, http.StatusOK)
			if got := str(r.jsonObject(t), "username"); got != c.APIToken.User {
				t.Errorf("GET /2.0/user as the API token's e-mail: username %q, want %q", got, c.APIToken.User)
			}
		}},
		{area: area, name: "api-token-rest-username-refused", fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			need(t, c.APIToken != nil, "a Cloud API token")
			wantStatus(t, e.cloudUser(t, c, "", "Authorization", basic(c.APIToken.User, c.APIToken.Token)), http.StatusUnauthorized)
		}},
		{area: area, name: "api-token-git-usernames", fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			a := c.APIToken
			need(t, a != nil, "a Cloud API token")
			for _, tc := range []struct {
				user string
				want int
			}{{"x-bitbucket-api-token-auth", http.StatusOK}, {a.User, http.StatusOK}, {a.Email, http.StatusUnauthorized}} {
				r := e.get(t, a.gitRefs(c), "Authorization", basic(tc.user, a.Token))
				if r.status != tc.want {
					t.Errorf("git info/refs as %q: status %d, want %d", tc.user, r.status, tc.want)
				}
			}
		}},
		{area: area, name: "access-token-git-and-bearer", fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			a := c.AccessToken
			need(t, a != nil, "a Cloud repository access token")
			wantStatus(t, e.get(t, a.gitRefs(c), "Authorization", basic("x-token-auth", a.Token)), http.StatusOK)
			wantStatus(t, e.get(t, c.APIURL+"/2.0/repositories/"+a.Workspace+"/"+a.Slug, "Authorization", bearer(a.Token)), http.StatusOK)
		}},
	}
}
