package conformance

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"regexp"
	"testing"
	"time"
)

var tokenIDRE = regexp.MustCompile(`^[0-9]{12}$`)

// DC personal HTTP access tokens: docs/bitbucket-behaviour.md#dc-access-token-format, docs/bitbucket-behaviour.md#dc-access-tokens.
func serverTokenCases() []testCase {
	const area = "server-http-tokens"
	withServer := func(fn func(t *testing.T, e *env, s *Server)) func(*testing.T, *env) {
		return func(t *testing.T, e *env) {
			s := e.server(t)
			need(t, s.Link != nil, "an application link to create tokens with")
			fn(t, e, s)
		}
	}
	return []testCase{
		{area: area, name: "create-shape", fn: withServer(func(t *testing.T, e *env, s *Server) {
			owner := e.oauth1Access(t, s)
			r := e.createHTTPToken(t, s, owner, `{"name":"conformance-shape","permissions":["REPO_READ"],"expiryDays":1}`)
			wantStatus(t, r, http.StatusOK, http.StatusCreated)
			m := r.jsonObject(t)
			id, tok := str(m, "id"), str(m, "token")
			if _, mock := e.tgt.(Mock); !mock {
				t.Cleanup(func() { e.deleteHTTPToken(t, s, httpToken{id: id, owner: owner}) })
			}
			if !tokenIDRE.MatchString(id) {
				t.Errorf("id %q is not a 12-digit string (docs/bitbucket-behaviour.md#dc-access-tokens)", id)
			}
			raw, err := base64.StdEncoding.DecodeString(tok)
			if err != nil {
				t.Fatalf("token is not standard base64 (%d chars)", len(tok))
			}
			if len(tok) != 44 || !bytes.HasPrefix(raw, []byte(id+":")) || len(raw) != len(id)+1+20 {
				t.Errorf("token is not base64(<id>:<20 bytes>) of 44 chars (docs/bitbucket-behaviour.md#dc-access-token-format): %d chars, %d bytes decoded", len(tok), len(raw))
			}
			if _, ok := m["createdDate"].(float64); !ok {
				t.Errorf("createdDate = %#v, want epoch milliseconds", m["createdDate"])
			} else if ms := number(t, m, "createdDate"); ms < 1e12 {
				t.Errorf("createdDate %v looks like seconds, want milliseconds (docs/bitbucket-behaviour.md#dc-access-tokens)", ms)
			}
		})},
		{area: area, name: "list-without-secrets", fn: withServer(func(t *testing.T, e *env, s *Server) {
			h := e.newHTTPToken(t, s, 1)
			r := e.signed(t, oauth1Req{Method: http.MethodGet, URL: tokensURL(s, h.owner.User), Link: s.Link, Token: h.owner.Token})
			wantStatus(t, r, http.StatusOK)
			m := r.jsonObject(t)
			vals, ok := m["values"].([]any)
			if !ok || m["isLastPage"] == nil || m["limit"] == nil {
				t.Fatalf("not a paged envelope (values, isLastPage, limit): keys %v", keys(m))
			}
			found := false
			for _, v := range vals {
				o, _ := v.(map[string]any)
				if _, leak := o["token"]; leak {
					t.Errorf("listing shows a token value")
				}
				found = found || str(o, "id") == h.id
			}
			if !found {
				t.Errorf("listing lacks the created token")
			}
		})},
		{area: area, name: "rest-basic-user-and-token", fn: withServer(func(t *testing.T, e *env, s *Server) {
			h := e.newHTTPToken(t, s, 1)
			wantUser(t, e.get(t, whoAmIURL(s), "Authorization", basic(h.owner.User, h.token)), h.owner.User)
		})},
		{area: area, name: "rest-bearer", fn: withServer(func(t *testing.T, e *env, s *Server) {
			h := e.newHTTPToken(t, s, 1)
			wantUser(t, e.get(t, whoAmIURL(s), "Authorization", bearer(h.token)), h.owner.User)
		})},
		{area: area, name: "rest-basic-other-user-refused", fn: withServer(func(t *testing.T, e *env, s *Server) {
			h := e.newHTTPToken(t, s, 1)
			wantStatus(t, e.get(t, whoAmIURL(s), "Authorization", basic("nobody-"+randomHex(3), h.token)), http.StatusUnauthorized)
		})},
		{area: area, name: "git-fetch-basic", fn: withServer(func(t *testing.T, e *env, s *Server) {
			need(t, s.Repo != nil, "a repository (CONFORMANCE_SERVER_REPO)")
			h := e.newHTTPToken(t, s, 1, "REPO_READ")
			wantAdvertisement(t, e.infoRefs(t, serverGitURL(s, *s.Repo), "git-upload-pack", "Authorization", basic(h.owner.User, h.token)), "git-upload-pack")
		})},
		{area: area, name: "git-fetch-bearer", fn: withServer(func(t *testing.T, e *env, s *Server) {
			need(t, s.Repo != nil, "a repository (CONFORMANCE_SERVER_REPO)")
			h := e.newHTTPToken(t, s, 1, "REPO_READ")
			wantAdvertisement(t, e.infoRefs(t, serverGitURL(s, *s.Repo), "git-upload-pack", "Authorization", bearer(h.token)), "git-upload-pack")
		})},
		{area: area, name: "read-token-push-refused", fn: withServer(func(t *testing.T, e *env, s *Server) {
			need(t, s.Repo != nil, "a repository (CONFORMANCE_SERVER_REPO)")
			h := e.newHTTPToken(t, s, 1, "REPO_READ")
			r := e.infoRefs(t, serverGitURL(s, *s.Repo), "git-receive-pack", "Authorization", basic(h.owner.User, h.token))
			wantStatus(t, r, http.StatusUnauthorized, http.StatusForbidden)
		})},
		{area: area, name: "write-token-push-allowed", fn: withServer(func(t *testing.T, e *env, s *Server) {
			need(t, s.Repo != nil, "a repository (CONFORMANCE_SERVER_REPO)")
			h := e.newHTTPToken(t, s, 1, "REPO_READ", "REPO_WRITE")
			wantAdvertisement(t, e.infoRefs(t, serverGitURL(s, *s.Repo), "git-receive-pack", "Authorization", basic(h.owner.User, h.token)), "git-receive-pack")
		})},
		{area: area, name: "clone-and-push-real-git", fn: withServer(func(t *testing.T, e *env, s *Server) {
			need(t, s.Repo != nil, "a repository (CONFORMANCE_SERVER_REPO)")
			if _, ok := e.tgt.(Mock); !ok {
				t.Skip("pushes a branch; run only against the mock")
			}
			h := e.newHTTPToken(t, s, 1)
			cloneAndPush(t, serverGitURL(s, *s.Repo), gitEnv(t, h.owner.User, h.token))
		})},
		{area: area, name: "delete-then-refused", fn: withServer(func(t *testing.T, e *env, s *Server) {
			h := e.newHTTPToken(t, s, 1)
			wantStatus(t, e.get(t, whoAmIURL(s), "Authorization", bearer(h.token)), http.StatusOK)
			wantStatus(t, e.deleteHTTPToken(t, s, h), http.StatusNoContent, http.StatusOK)
			wantStatus(t, e.get(t, whoAmIURL(s), "Authorization", bearer(h.token)), http.StatusUnauthorized)
		})},
		{area: area, name: "expires-after-expiry-days", exclusive: true, fn: withServer(func(t *testing.T, e *env, s *Server) {
			e.clock(t)
			h := e.newHTTPToken(t, s, 1)
			e.advance(t, 23*time.Hour)
			wantStatus(t, e.get(t, whoAmIURL(s), "Authorization", bearer(h.token)), http.StatusOK)
			e.advance(t, 26*time.Hour) // 49 h in all
			wantStatus(t, e.get(t, whoAmIURL(s), "Authorization", bearer(h.token)), http.StatusUnauthorized)
		})},
		{area: area, name: "token-cannot-create-tokens", fn: withServer(func(t *testing.T, e *env, s *Server) {
			h := e.newHTTPToken(t, s, 1, "REPO_READ", "REPO_WRITE")
			req := newRequest(t, http.MethodPut, tokensURL(s, h.owner.User), nopBody(`{"name":"nested","permissions":["REPO_READ"]}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", bearer(h.token))
			// docs/bitbucket-behaviour.md#dc-access-tokens: HTTP access tokens cannot create tokens.
			wantStatus(t, e.do(t, req), http.StatusUnauthorized, http.StatusForbidden)
		})},
		{area: area, name: "create-without-name-400", fn: withServer(func(t *testing.T, e *env, s *Server) {
			wantStatus(t, e.createHTTPToken(t, s, e.oauth1Access(t, s), `{"permissions":["REPO_READ"]}`), http.StatusBadRequest)
		})},
		{area: area, name: "create-unknown-permission-400", fn: withServer(func(t *testing.T, e *env, s *Server) {
			wantStatus(t, e.createHTTPToken(t, s, e.oauth1Access(t, s), `{"name":"x","permissions":["REPO_EVERYTHING"]}`), http.StatusBadRequest)
		})},
	}
}
