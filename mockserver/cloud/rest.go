package cloud

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/core"
)

// cloudRESTError writes the JSON error envelope of the Cloud API (docs/bitbucket-behaviour.md#cloud-401).
func cloudRESTError(w http.ResponseWriter, status int, message string, detail any) {
	e := map[string]any{"message": message}
	if detail != nil {
		e["detail"] = detail
	}
	core.JSONReply(w, status, map[string]any{"type": "error", "error": e})
}

// restAuth authenticates a REST call that needs scope. It answers the
// failures itself and returns ok=false then; tok is nil for an anonymous
// call when allowAnonymous.
func (s *State) restAuth(w http.ResponseWriter, r *http.Request, scope string, allowAnonymous bool) (tok *accessToken, ok bool) {
	w.Header().Set("X-Accepted-OAuth-Scopes", scope)
	res := s.authenticate(presentedCredentials(r))
	switch {
	case res.basicFailed:
		w.Header().Set("WWW-Authenticate", cloudRealm)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(loginFailedText))
		return nil, false
	case res.status == tokenExpired:
		// docs/bitbucket-behaviour.md#cloud-2025-refresh (body), docs/bitbucket-behaviour.md#cloud-401 (OAuth realm observed on expired tokens)
		w.Header().Set("WWW-Authenticate", `OAuth realm="Bitbucket.org HTTP"`)
		cloudRESTError(w, http.StatusUnauthorized, "Access token expired.", nil)
		return nil, false
	case res.status == tokenRevoked || res.status == tokenUnknown:
		// docs/bitbucket-behaviour.md#cloud-api-tokens (observed text for a token Cloud does not take); the
		// status for revoked tokens is UNCONFIRMED.
		w.Header().Set("WWW-Authenticate", `OAuth realm="Bitbucket.org HTTP"`)
		cloudRESTError(w, http.StatusUnauthorized, "Token is invalid, expired, or not supported for this endpoint.", nil)
		return nil, false
	case res.tok == nil:
		if allowAnonymous {
			return nil, true
		}
		w.Header().Set("WWW-Authenticate", cloudRealm)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(loginFailedText))
		return nil, false
	}
	core.Annotate(r, "", res.tok.client, res.tok.user)
	w.Header().Set("X-OAuth-Scopes", strings.Join(res.tok.scopes, ", "))
	if !hasScope(res.tok.scopes, scope) {
		// UNCONFIRMED wording (from memory of bitbucket.org answers).
		cloudRESTError(w, http.StatusForbidden, "Your credentials lack one or more required privilege scopes.",
			map[string]any{"granted": res.tok.scopes, "required": []string{scope}})
		return nil, false
	}
	return res.tok, true
}

// handleREST serves /2.0/... (and /!api/2.0/..., with prefix the part
// before /2.0 as the request used it).
func (s *State) handleREST(w http.ResponseWriter, r *http.Request, prefix, rest string) {
	if s.modern() && s.refuseNonBearer(w, r) {
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		cloudRESTError(w, http.StatusMethodNotAllowed, "Method not allowed", nil)
		return
	}
	parts := strings.Split(strings.Trim(rest, "/"), "/")
	switch {
	case len(parts) == 1 && parts[0] == "user":
		s.restUser(w, r, prefix)
	case len(parts) == 2 && parts[0] == "repositories" && parts[1] != "":
		s.restWorkspaceRepos(w, r, prefix, parts[1])
	case len(parts) == 3 && parts[0] == "repositories" && parts[1] != "" && parts[2] != "":
		s.restRepo(w, r, prefix, parts[1], parts[2])
	default:
		cloudRESTError(w, http.StatusNotFound, "Resource not found",
			"There is no API hosted at this URL.\n\nFor information about our API's, please refer to the documentation at: https://developer.atlassian.com/bitbucket/api/2/reference/")
	}
}

// origin is scheme://host of the request (bitbucket.org and
// api.bitbucket.org are one origin in the mock).
func origin(r *http.Request) string {
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}

func link(href string) map[string]string { return map[string]string{"href": href} }

// restUser serves GET /2.0/user (docs/bitbucket-behaviour.md#cloud-user): needs scope account.
func (s *State) restUser(w http.ResponseWriter, r *http.Request, prefix string) {
	tok, ok := s.restAuth(w, r, "account", false)
	if !ok {
		return
	}
	if tok.appUser != "" {
		s.restAppUser(w, r, tok)
		return
	}
	u := s.users[tok.user]
	if u == nil { // a Connect installation's workspace, or an unknown owner
		u = &User{Username: tok.user, DisplayName: tok.user}
	}
	uuid := u.UUID
	if uuid == "" {
		uuid = derivedUUID("user", u.Username)
	}
	base := origin(r)
	core.JSONReply(w, http.StatusOK, map[string]any{
		"type":            "user",
		"username":        u.Username,
		"nickname":        u.Username,
		"display_name":    u.DisplayName,
		"uuid":            uuid,
		"account_id":      u.AccountID,
		"account_status":  "active",
		"has_2fa_enabled": false,
		"is_staff":        false,
		"created_on":      "2020-01-01T00:00:00.000000+00:00",
		"links": map[string]any{
			"self":         link(base + prefix + "/2.0/users/" + uuid),
			"html":         link(base + "/" + u.Username + "/"),
			"avatar":       link(base + "/account/" + u.Username + "/avatar/"),
			"repositories": link(base + prefix + "/2.0/repositories/" + u.Username),
		},
	})
}

// restWorkspaceRepos serves GET /2.0/repositories/{workspace}, paged.
// Anonymous callers see the public repositories.
func (s *State) restWorkspaceRepos(w http.ResponseWriter, r *http.Request, prefix, ws string) {
	tok, ok := s.restAuth(w, r, "repository", true)
	if !ok {
		return
	}
	if !s.workspaceExists(ws) {
		cloudRESTError(w, http.StatusNotFound, "No workspace with identifier '"+ws+"'.", nil) // UNCONFIRMED wording
		return
	}
	repos := s.workspaceRepos(ws, tok)
	q := r.URL.Query()
	page := positiveInt(q.Get("page"), 1)
	pagelen := min(positiveInt(q.Get("pagelen"), 10), 100)
	start := min((page-1)*pagelen, len(repos))
	end := min(start+pagelen, len(repos))
	values := make([]map[string]any, 0, end-start)
	for _, rp := range repos[start:end] {
		values = append(values, repoJSON(r, prefix, rp))
	}
	body := map[string]any{"pagelen": pagelen, "size": len(repos), "page": page, "values": values}
	if end < len(repos) {
		nq := r.URL.Query()
		nq.Set("page", strconv.Itoa(page+1))
		nq.Del("access_token")
		body["next"] = origin(r) + r.URL.Path + "?" + nq.Encode()
	}
	core.JSONReply(w, http.StatusOK, body)
}

// restRepo serves GET /2.0/repositories/{workspace}/{slug}.
func (s *State) restRepo(w http.ResponseWriter, r *http.Request, prefix, ws, slug string) {
	rp := s.repos[ws+"/"+slug]
	tok, ok := s.restAuth(w, r, "repository", rp != nil && !rp.Private)
	if !ok {
		return
	}
	if rp == nil || !canRead(tok, rp) {
		cloudRESTError(w, http.StatusNotFound, "You may not have access to this repository or it no longer exists in this workspace.", nil)
		return
	}
	core.JSONReply(w, http.StatusOK, repoJSON(r, prefix, rp))
}

func repoJSON(r *http.Request, prefix string, rp *Repository) map[string]any {
	base := origin(r)
	full := rp.Workspace + "/" + rp.Slug
	return map[string]any{
		"type":       "repository",
		"uuid":       repoUUID(rp),
		"name":       rp.Slug,
		"slug":       rp.Slug,
		"full_name":  full,
		"is_private": rp.Private,
		"scm":        "git",
		"mainbranch": map[string]string{"type": "branch", "name": "main"},
		"workspace": map[string]any{
			"type": "workspace", "slug": rp.Workspace, "name": rp.Workspace,
			"uuid": derivedUUID("workspace", rp.Workspace),
		},
		"links": map[string]any{
			"self":  link(base + prefix + "/2.0/repositories/" + full),
			"html":  link(base + "/" + full),
			"clone": []map[string]string{{"name": "https", "href": base + "/" + full + ".git"}},
		},
	}
}

func positiveInt(s string, def int) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return def
	}
	return n
}
