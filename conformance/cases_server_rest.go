package conformance

import (
	"net/http"
	"strings"
	"testing"

	"github.com/bbcred/git-credential-bitbucket/mockserver"
)

// wantDCErrors checks DC's error envelope {"errors":[{"message":...}]} (docs/bitbucket-behaviour.md#dc-rest).
func wantDCErrors(t *testing.T, r *response) {
	t.Helper()
	errs, _ := r.jsonObject(t)["errors"].([]any)
	if len(errs) == 0 {
		t.Fatalf("body is not DC's errors envelope: %s", r)
	}
	first, _ := errs[0].(map[string]any)
	if str(first, "message") == "" {
		t.Errorf("errors[0] has no message: %s", r)
	}
}

// Server/DC REST, headers, git challenge, context path and the anonymous
// access trap: docs/bitbucket-behaviour.md#git-challenge, docs/bitbucket-behaviour.md#dc-identity, docs/bitbucket-behaviour.md#dc-anonymous-access, docs/bitbucket-behaviour.md#dc-oauth2, docs/bitbucket-behaviour.md#dc-rest, docs/bitbucket-behaviour.md#dc-git.
func serverRESTCases() []testCase {
	const area = "server-rest"
	return []testCase{
		{area: area, name: "request-id-on-every-response", fn: func(t *testing.T, e *env) {
			s := e.server(t)
			reqs := map[string]*response{
				"anonymous REST":      e.get(t, whoAmIURL(s)),
				"missing resource":    e.get(t, s.URL+"/rest/api/1.0/projects/NOPE"+randomHex(2)+"/repos/nope"),
				"OAuth request-token": e.postForm(t, oauth1URL(s, "request-token"), nil),
				"DC OAuth 2 token":    e.postForm(t, dcTokenURL(s), nil),
			}
			if s.Repo != nil {
				reqs["git challenge"] = e.infoRefs(t, serverGitURL(s, *s.Repo), "git-upload-pack")
			}
			if s.User != nil && s.User.Password != "" {
				reqs["authenticated REST"] = e.get(t, whoAmIURL(s), "Authorization", basic(s.User.Slug, s.User.Password))
			}
			for what, r := range reqs {
				if r.header.Get("X-AREQUESTID") == "" {
					t.Errorf("%s (status %d) has no X-AREQUESTID header (docs/bitbucket-behaviour.md#dc-identity, docs/bitbucket-behaviour.md#dc-git)", what, r.status)
				}
			}
		}},
		{area: area, name: "git-challenge-realm", fn: func(t *testing.T, e *env) {
			s := e.server(t)
			need(t, s.Repo != nil, "a repository (CONFORMANCE_SERVER_REPO)")
			wantChallenge(t, e.infoRefs(t, serverGitURL(s, *s.Repo), "git-upload-pack"), "Atlassian Bitbucket")
		}},
		{area: area, name: "basic-password", fn: func(t *testing.T, e *env) {
			s := e.server(t)
			need(t, s.User != nil && s.User.Password != "", "a user password (CONFORMANCE_SERVER_PASSWORD)")
			wantUser(t, e.get(t, whoAmIURL(s), "Authorization", basic(s.User.Slug, s.User.Password)), s.User.Slug)
		}},
		{area: area, name: "bad-password-401-errors-envelope", fn: func(t *testing.T, e *env) {
			s := e.server(t)
			need(t, s.User != nil, "a user")
			r := e.get(t, s.URL+"/rest/api/1.0/users/"+s.User.Slug, "Authorization", basic(s.User.Slug, "wrong-"+randomHex(3)))
			wantStatus(t, r, http.StatusUnauthorized)
			wantDCErrors(t, r)
		}},
		{area: area, name: "recent-repos-requires-auth", fn: func(t *testing.T, e *env) {
			s := e.server(t)
			// docs/bitbucket-behaviour.md#dc-oauth2: /profile/recent/repos always requires authentication.
			wantStatus(t, e.get(t, whoAmIURL(s)), http.StatusUnauthorized)
		}},
		{area: area, name: "user-resource-shape", fn: func(t *testing.T, e *env) {
			s := e.server(t)
			need(t, s.User != nil && s.User.Password != "", "a user password")
			r := e.get(t, s.URL+"/rest/api/1.0/users/"+s.User.Slug, "Authorization", basic(s.User.Slug, s.User.Password))
			wantStatus(t, r, http.StatusOK)
			m := r.jsonObject(t)
			if str(m, "slug") != s.User.Slug || str(m, "name") == "" || str(m, "displayName") == "" || m["active"] != true {
				t.Errorf("user lacks slug, name, displayName or active=true: %v", keys(m))
			}
			if typ := str(m, "type"); typ != "NORMAL" && typ != "SERVICE" {
				t.Errorf("type = %q, want NORMAL or SERVICE", typ)
			}
			if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type = %q, want application/json", ct)
			}
		}},
		{area: area, name: "repository-shape-and-clone-links", fn: func(t *testing.T, e *env) {
			s := e.server(t)
			need(t, s.User != nil && s.User.Password != "" && s.Repo != nil, "a user password and a repository")
			r := e.get(t, s.URL+"/rest/api/1.0/projects/"+s.Repo.Project+"/repos/"+s.Repo.Slug, "Authorization", basic(s.User.Slug, s.User.Password))
			wantStatus(t, r, http.StatusOK)
			m := r.jsonObject(t)
			proj, _ := m["project"].(map[string]any)
			if str(m, "slug") != s.Repo.Slug || str(m, "scmId") != "git" || str(proj, "key") != s.Repo.Project {
				t.Errorf("repository lacks slug, scmId=git or project.key: %v", keys(m))
			}
			links, _ := m["links"].(map[string]any)
			clones, _ := links["clone"].([]any)
			found := false
			for _, c := range clones {
				l, _ := c.(map[string]any)
				if str(l, "name") == "http" {
					found = true
					href := mustURL(t, str(l, "href"))
					href.User = nil
					if !strings.EqualFold(href.String(), serverGitURL(s, *s.Repo)) {
						t.Errorf("http clone link %s, want %s (context path and /scm/ included)", href, serverGitURL(s, *s.Repo))
					}
				}
			}
			if !found {
				t.Errorf("no http clone link")
			}
		}},
		{area: area, name: "context-path-required", fn: func(t *testing.T, e *env) {
			s := e.server(t)
			need(t, s.ContextPath != "" && s.User != nil && s.User.Password != "", "a context path and a user password")
			root := strings.TrimSuffix(s.URL, s.ContextPath)
			auth := basic(s.User.Slug, s.User.Password)
			wantStatus(t, e.get(t, s.URL+"/rest/api/1.0/users/"+s.User.Slug, "Authorization", auth), http.StatusOK)
			wantStatus(t, e.get(t, root+"/rest/api/1.0/users/"+s.User.Slug, "Authorization", auth), http.StatusNotFound)
		}},
		{area: area, name: "anonymous-access-trap", fn: func(t *testing.T, e *env) {
			s := e.server(t)
			cf := e.customFixtures(t)
			tgt := cf.WithFixtures(t, func(f *mockserver.Fixtures) {
				f.Server.AnonymousAccess = true
				f.Server.Projects = append(f.Server.Projects, mockserver.ServerProject{Key: "TRAP", Public: true,
					Repositories: []string{"open-trap"}, Permissions: map[string]string{}})
			})
			ts := tgt.Server()
			bad := bearer("expired-or-invalid-" + randomHex(8))
			// docs/bitbucket-behaviour.md#dc-anonymous-access: an invalid token on a public resource is served as anonymous...
			pub := e.get(t, ts.URL+"/rest/api/1.0/projects/TRAP/repos/open-trap", "Authorization", bad)
			wantStatus(t, pub, http.StatusOK)
			if u := pub.header.Get("X-AUSERNAME"); u != "" {
				t.Errorf("anonymous answer names a user %q", u)
			}
			// ...while /profile/recent/repos still says 401 (docs/bitbucket-behaviour.md#dc-oauth2).
			wantStatus(t, e.get(t, ts.URL+"/rest/api/1.0/profile/recent/repos", "Authorization", bad), http.StatusUnauthorized)
			if s.Repo != nil {
				// A private project stays closed.
				wantStatus(t, e.get(t, ts.URL+"/rest/api/1.0/projects/"+s.Repo.Project+"/repos/"+s.Repo.Slug, "Authorization", bad),
					http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound)
			}
		}},
	}
}
