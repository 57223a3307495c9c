package datacenter

// REST resources credential helpers use (docs/bitbucket-behaviour.md#dc-oauth2, docs/bitbucket-behaviour.md#dc-rest).

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
)

// apiVersionOK accepts /rest/api/1.0/… and /rest/api/latest/….
func apiVersionOK(w http.ResponseWriter, r *http.Request) bool {
	if v := r.PathValue("ver"); v != "1.0" && v != "latest" {
		srvError(w, http.StatusNotFound, "Unknown REST API version "+v, "com.atlassian.bitbucket.rest.NotFoundException")
		return false
	}
	return true
}

// userJSON is RestApplicationUser.
func (s *State) userJSON(r *http.Request, u *srvUser) map[string]any {
	typ := "NORMAL"
	if u.Service {
		typ = "SERVICE"
	}
	return map[string]any{
		"name":         u.Name,
		"emailAddress": u.Email,
		"id":           u.id,
		"displayName":  u.DisplayName,
		"active":       true,
		"slug":         u.Slug,
		"type":         typ,
		"links":        map[string]any{"self": []map[string]string{{"href": s.baseURL(r) + "/users/" + u.Slug}}},
	}
}

// repoJSON is RestRepository (docs/bitbucket-behaviour.md#dc-rest).
func (s *State) repoJSON(r *http.Request, rp *srvRepo) map[string]any {
	base := s.baseURL(r)
	host := r.Host
	if h, _, found := strings.Cut(host, ":"); found && !strings.HasPrefix(host, "[") {
		host = h
	}
	lower := strings.ToLower(rp.project.key)
	return map[string]any{
		"slug":          rp.slug,
		"id":            rp.id,
		"name":          rp.slug,
		"hierarchyId":   srvHierarchyID(rp.id),
		"scmId":         "git",
		"state":         "AVAILABLE",
		"statusMessage": "Available",
		"forkable":      true,
		"project": map[string]any{
			"key":    rp.project.key,
			"id":     rp.project.id,
			"name":   rp.project.name,
			"public": rp.project.public,
			"type":   "NORMAL",
			"links":  map[string]any{"self": []map[string]string{{"href": base + "/projects/" + rp.project.key}}},
		},
		"public":   rp.project.public,
		"archived": false,
		"links": map[string]any{
			"clone": []map[string]string{
				{"href": base + "/scm/" + lower + "/" + rp.slug + ".git", "name": "http"},
				{"href": "ssh://git@" + host + ":7999/" + lower + "/" + rp.slug + ".git", "name": "ssh"},
			},
			"self": []map[string]string{{"href": base + "/projects/" + rp.project.key + "/repos/" + rp.slug + "/browse"}},
		},
	}
}

// srvHierarchyID is a stable 20-hex-digit id per repository.
func srvHierarchyID(id int) string {
	return fmt.Sprintf("%020x", uint64(id)*0x9E3779B97F4A7C15)
}

// handleAppProperties is GET /rest/api/{ver}/application-properties: public;
// clients read X-AUSERNAME from it (docs/bitbucket-behaviour.md#dc-oauth2).
func (s *State) handleAppProperties(w http.ResponseWriter, r *http.Request) {
	if !apiVersionOK(w, r) {
		return
	}
	if _, ok := s.restCaller(w, r, true); !ok {
		return
	}
	srvJSON(w, http.StatusOK, map[string]string{
		"version": "8.19.0", "buildNumber": "8019000", "buildDate": "1711065600000", "displayName": "Bitbucket",
	})
}

// handleUser is GET /rest/api/{ver}/users/{slug}. Anonymous callers see
// users only with anonymous access on (UNCONFIRMED).
func (s *State) handleUser(w http.ResponseWriter, r *http.Request) {
	if !apiVersionOK(w, r) {
		return
	}
	if _, ok := s.restCaller(w, r, s.f.AnonymousAccess); !ok {
		return
	}
	u := s.users[r.PathValue("slug")]
	if u == nil {
		srvError(w, http.StatusNotFound, "User "+r.PathValue("slug")+" does not exist.", excNoSuchUser)
		return
	}
	srvJSON(w, http.StatusOK, s.userJSON(r, u))
}

// handleUsers is GET /rest/api/{ver}/users (GCM's credential check, docs/bitbucket-behaviour.md#dc-oauth2),
// optionally filtered by ?filter=.
func (s *State) handleUsers(w http.ResponseWriter, r *http.Request) {
	if !apiVersionOK(w, r) {
		return
	}
	if _, ok := s.restCaller(w, r, s.f.AnonymousAccess); !ok {
		return
	}
	filter := strings.ToLower(r.URL.Query().Get("filter"))
	var out []map[string]any
	for _, u := range s.sortedUsers() {
		if filter == "" || strings.Contains(strings.ToLower(u.Name+" "+u.DisplayName+" "+u.Email), filter) {
			out = append(out, s.userJSON(r, u))
		}
	}
	srvJSON(w, http.StatusOK, srvPaged(r, out))
}

func (s *State) sortedUsers() []*srvUser {
	us := make([]*srvUser, 0, len(s.users))
	for _, u := range s.users {
		us = append(us, u)
	}
	sort.Slice(us, func(i, j int) bool { return us[i].id < us[j].id })
	return us
}

// handleRepo is GET /rest/api/{ver}/projects/{key}/repos/{slug}.
func (s *State) handleRepo(w http.ResponseWriter, r *http.Request) {
	if !apiVersionOK(w, r) {
		return
	}
	key := strings.ToUpper(r.PathValue("key"))
	rp := s.repos[key+"/"+r.PathValue("slug")]
	public := rp != nil && rp.project.public && s.f.AnonymousAccess
	p, ok := s.restCaller(w, r, public)
	if !ok {
		return
	}
	if rp == nil {
		if s.projects[key] == nil {
			srvError(w, http.StatusNotFound, "Project "+key+" does not exist.", excNoSuchProject)
			return
		}
		srvError(w, http.StatusNotFound, "Repository "+key+"/"+r.PathValue("slug")+" does not exist.", excNoSuchRepo)
		return
	}
	if s.repoLevel(p, rp) < permRead {
		writeNotPermitted(w, "You are not permitted to access this resource")
		return
	}
	srvJSON(w, http.StatusOK, s.repoJSON(r, rp))
}

// handleRecentRepos is GET /rest/api/{ver}/profile/recent/repos: always
// needs an authenticated user, even with anonymous access on (docs/bitbucket-behaviour.md#dc-oauth2).
// Simplified: every repository the caller can read, by id.
func (s *State) handleRecentRepos(w http.ResponseWriter, r *http.Request) {
	if !apiVersionOK(w, r) {
		return
	}
	p, ok := s.restCaller(w, r, false)
	if !ok {
		return
	}
	if p == nil || p.user == nil {
		writeNotPermitted(w, "")
		return
	}
	rps := make([]*srvRepo, 0, len(s.repos))
	for _, rp := range s.repos {
		if s.repoLevel(p, rp) >= permRead {
			rps = append(rps, rp)
		}
	}
	sort.Slice(rps, func(i, j int) bool { return rps[i].id < rps[j].id })
	out := make([]map[string]any, len(rps))
	for i, rp := range rps {
		out[i] = s.repoJSON(r, rp)
	}
	srvJSON(w, http.StatusOK, srvPaged(r, out))
}

// handleOAuth2Clients is GET /rest/oauth2/1.0/client: GCM takes an anonymous
// 401 as "the OAuth 2 provider is installed" (docs/bitbucket-behaviour.md#dc-oauth2). Admins get the
// clients (no secrets); other users are not permitted.
func (s *State) handleOAuth2Clients(w http.ResponseWriter, r *http.Request) {
	p, ok := s.restCaller(w, r, false)
	if !ok {
		return
	}
	if p == nil || p.user == nil || !p.user.Admin {
		writeNotPermitted(w, "")
		return
	}
	ids := make([]string, 0, len(s.clients))
	for id := range s.clients {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	out := make([]map[string]any, len(ids))
	for i, id := range ids {
		c := s.clients[id]
		out[i] = map[string]any{"clientId": c.ClientID, "name": c.Name, "redirects": c.RedirectURIs, "scopes": c.Scopes}
	}
	srvJSON(w, http.StatusOK, out)
}

// handleLoginOptions is GET /rest/authconfig/1.0/login-options: the login
// form only (no SSO), so GCM offers Basic (docs/bitbucket-behaviour.md#dc-oauth2).
func (s *State) handleLoginOptions(w http.ResponseWriter, r *http.Request) {
	srvJSON(w, http.StatusOK, map[string]any{"results": []map[string]string{{"type": "LOGIN_FORM", "id": "login-form"}}})
}
