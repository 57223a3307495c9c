package datacenter

// Personal HTTP access tokens (docs/bitbucket-behaviour.md#dc-access-tokens): create, list, get, delete.

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"sort"
	"time"
)

// httpToken is a personal HTTP access token.
type httpToken struct {
	id          string // 12 digits
	value       string // base64("<id>:" + 20 random bytes)
	user        string // owner's slug
	name        string
	permissions []string
	created     time.Time
	expiryDays  int       // 0 = no expiry
	expires     time.Time // zero = never
}

func (t *httpToken) expired(now time.Time) bool {
	return !t.expires.IsZero() && !now.Before(t.expires)
}

// httpTokenPerms are the permissions a personal token may carry, with the
// level each grants (REPO_WRITE, PROJECT_WRITE, PROJECT_ADMIN: UNCONFIRMED
// spellings following REPO_READ, REPO_ADMIN, PROJECT_READ).
var httpTokenPerms = map[string]int{
	"REPO_READ": permRead, "REPO_WRITE": permWrite, "REPO_ADMIN": permAdmin,
	"PROJECT_READ": permRead, "PROJECT_WRITE": permWrite, "PROJECT_ADMIN": permAdmin,
}

// httpTokenLevel is the repository permission a token's permissions give.
func httpTokenLevel(perms []string) int {
	lvl := permNone
	for _, p := range perms {
		lvl = max(lvl, httpTokenPerms[p])
	}
	return lvl
}

func epochMillis(t time.Time) int64 { return t.UnixMilli() }

// tokenJSON is RestAccessToken, plus the token value when just created
// (RestRawAccessToken).
func (s *State) tokenJSON(r *http.Request, t *httpToken, withValue bool) map[string]any {
	out := map[string]any{
		"id":          t.id,
		"createdDate": epochMillis(t.created),
		"name":        t.name,
		"permissions": t.permissions,
	}
	if u := s.users[t.user]; u != nil {
		out["user"] = s.userJSON(r, u)
	}
	if t.expiryDays > 0 {
		out["expiryDays"] = t.expiryDays
		out["expiryDate"] = epochMillis(t.expires)
	}
	if withValue {
		out["token"] = t.value
	}
	return out
}

// tokenCaller authenticates a token-management request for the user in
// the path: the caller must be that user or an admin; changes cannot be
// made with an HTTP access token (docs/bitbucket-behaviour.md#dc-access-tokens), nor with a DC OAuth 2 token
// lacking ACCOUNT_WRITE (UNCONFIRMED).
func (s *State) tokenCaller(w http.ResponseWriter, r *http.Request, change bool) (*srvPrincipal, *srvUser, bool) {
	if v := r.PathValue("ver"); v != "1.0" && v != "latest" {
		srvError(w, http.StatusNotFound, "Unknown REST API version "+v, "com.atlassian.bitbucket.rest.NotFoundException")
		return nil, nil, false
	}
	p, ok := s.restCaller(w, r, false)
	if !ok {
		return nil, nil, false
	}
	if p == nil || p.user == nil {
		writeNotPermitted(w, "")
		return nil, nil, false
	}
	if change && p.kind == "http-token" {
		writeNotPermitted(w, "HTTP access tokens cannot be used to create or delete HTTP access tokens.")
		return nil, nil, false
	}
	if change && p.kind == "oauth2" && !dcAccountWrite(p.scopes) {
		writeNotPermitted(w, "The OAuth access token does not have the ACCOUNT_WRITE scope.")
		return nil, nil, false
	}
	target := s.users[r.PathValue("slug")]
	if target == nil {
		srvError(w, http.StatusNotFound, "User "+r.PathValue("slug")+" does not exist.", excNoSuchUser)
		return nil, nil, false
	}
	if target != p.user && !p.user.Admin {
		writeNotPermitted(w, "You are not permitted to manage the access tokens of "+target.Slug+".")
		return nil, nil, false
	}
	return p, target, true
}

// handleCreateHTTPToken is PUT /rest/access-tokens/{ver}/users/{slug} with
// {"name", "permissions", "expiryDays"}.
func (s *State) handleCreateHTTPToken(w http.ResponseWriter, r *http.Request) {
	_, target, ok := s.tokenCaller(w, r, true)
	if !ok {
		return
	}
	var req struct {
		Name        string   `json:"name"`
		Permissions []string `json:"permissions"`
		ExpiryDays  *int     `json:"expiryDays"`
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err == nil {
		err = json.Unmarshal(body, &req)
	}
	if err != nil {
		srvError(w, http.StatusBadRequest, "The request body is not valid JSON.", "com.atlassian.bitbucket.rest.BadRequestException")
		return
	}
	if req.Name == "" {
		srvValidationError(w, "name", "A name is required.")
		return
	}
	if len(req.Permissions) == 0 {
		srvValidationError(w, "permissions", "At least one permission is required.")
		return
	}
	repoLvl, projLvl := permNone, permNone
	for _, perm := range req.Permissions {
		lvl, known := httpTokenPerms[perm]
		if !known {
			srvValidationError(w, "permissions", "Unknown permission "+perm+".")
			return
		}
		if perm[0] == 'R' {
			repoLvl = max(repoLvl, lvl)
		} else {
			projLvl = max(projLvl, lvl)
		}
	}
	if repoLvl < projLvl {
		srvValidationError(w, "permissions", "The repository permission must be at least the project permission.")
		return
	}
	days := 0
	if req.ExpiryDays != nil {
		if *req.ExpiryDays <= 0 {
			srvValidationError(w, "expiryDays", "expiryDays must be a positive number of days.")
			return
		}
		days = *req.ExpiryDays
	}
	now := s.m.Now()
	id := srvTokenID()
	t := &httpToken{
		id:          id,
		value:       base64.StdEncoding.EncodeToString(append([]byte(id+":"), srvRandomBytes(20)...)),
		user:        target.Slug,
		name:        req.Name,
		permissions: slices.Compact(slices.Sorted(slices.Values(req.Permissions))),
		created:     now,
		expiryDays:  days,
	}
	if days > 0 {
		t.expires = now.Add(time.Duration(days) * 24 * time.Hour)
	}
	s.mu.Lock()
	n := 0
	for _, other := range s.httpTokens {
		if other.user == target.Slug {
			n++
		}
	}
	if n >= maxHTTPTokensPerUser {
		s.mu.Unlock()
		srvValidationError(w, "name", "The maximum number of access tokens for this user has been reached.")
		return
	}
	s.httpTokens[t.value] = t
	s.mu.Unlock()
	srvJSON(w, http.StatusOK, s.tokenJSON(r, t, true))
}

// userTokens returns target's tokens, oldest first.
func (s *State) userTokens(target *srvUser) []*httpToken {
	s.mu.Lock()
	var ts []*httpToken
	for _, t := range s.httpTokens {
		if t.user == target.Slug {
			ts = append(ts, t)
		}
	}
	s.mu.Unlock()
	sort.Slice(ts, func(i, j int) bool {
		if !ts[i].created.Equal(ts[j].created) {
			return ts[i].created.Before(ts[j].created)
		}
		return ts[i].id < ts[j].id
	})
	return ts
}

// handleListHTTPTokens is GET /rest/access-tokens/{ver}/users/{slug}: a
// page of tokens without their values (expired ones included).
func (s *State) handleListHTTPTokens(w http.ResponseWriter, r *http.Request) {
	_, target, ok := s.tokenCaller(w, r, false)
	if !ok {
		return
	}
	ts := s.userTokens(target)
	out := make([]map[string]any, len(ts))
	for i, t := range ts {
		out[i] = s.tokenJSON(r, t, false)
	}
	srvJSON(w, http.StatusOK, srvPaged(r, out))
}

// findToken returns target's token with the id in the path.
func (s *State) findToken(w http.ResponseWriter, r *http.Request, target *srvUser) *httpToken {
	id := r.PathValue("id")
	for _, t := range s.userTokens(target) {
		if t.id == id {
			return t
		}
	}
	srvError(w, http.StatusNotFound, "No access token exists with ID "+id+".", excNoSuchToken)
	return nil
}

// handleGetHTTPToken is GET /rest/access-tokens/{ver}/users/{slug}/{id}.
func (s *State) handleGetHTTPToken(w http.ResponseWriter, r *http.Request) {
	_, target, ok := s.tokenCaller(w, r, false)
	if !ok {
		return
	}
	if t := s.findToken(w, r, target); t != nil {
		srvJSON(w, http.StatusOK, s.tokenJSON(r, t, false))
	}
}

// handleDeleteHTTPToken is DELETE /rest/access-tokens/{ver}/users/{slug}/{id}: 204.
func (s *State) handleDeleteHTTPToken(w http.ResponseWriter, r *http.Request) {
	_, target, ok := s.tokenCaller(w, r, true)
	if !ok {
		return
	}
	t := s.findToken(w, r, target)
	if t == nil {
		return
	}
	s.mu.Lock()
	delete(s.httpTokens, t.value)
	s.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}
