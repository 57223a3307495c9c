package conformance

import (
	"crypto/rand"
	"crypto/rsa"
	"net/http"
	"strings"
	"testing"
	"time"
)

// OAuth 1 problem reports and signature placement: docs/bitbucket-behaviour.md#oauth1-realm, docs/bitbucket-behaviour.md#oauth1-2lo, docs/bitbucket-behaviour.md#dc-oauth1-wire, docs/bitbucket-behaviour.md#dc-oauth1-problems.
// Most cases use the request-token leg, which needs no token, so they run
// against real servers too.
func serverProblemCases() []testCase {
	const area = "server-oauth1-problems"
	withLink := func(fn func(t *testing.T, e *env, s *Server, l *AppLink, rt oauth1Req)) func(*testing.T, *env) {
		return func(t *testing.T, e *env) {
			s := e.server(t)
			need(t, s.Link != nil, "an application link (CONFORMANCE_SERVER_CONSUMER_KEY)")
			fn(t, e, s, s.Link, oauth1Req{Method: http.MethodPost, URL: oauth1URL(s, "request-token"), Link: s.Link, Callback: testCallback})
		}
	}
	return []testCase{
		{area: area, name: "signature-invalid", fn: withLink(func(t *testing.T, e *env, s *Server, l *AppLink, rt oauth1Req) {
			rt.BadSig = true
			wantOAuthProblem(t, s, e.signed(t, rt), http.StatusUnauthorized, "signature_invalid")
		})},
		{area: area, name: "signature-wrong-key", fn: withLink(func(t *testing.T, e *env, s *Server, l *AppLink, rt oauth1Req) {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				t.Fatal(err)
			}
			rt.WrongSigKey = k
			wantOAuthProblem(t, s, e.signed(t, rt), http.StatusUnauthorized, "signature_invalid")
		})},
		{area: area, name: "two-legged-without-oauth-token-anonymous", fn: withLink(func(t *testing.T, e *env, s *Server, l *AppLink, _ oauth1Req) {
			need(t, l.Allow2LO, "a link allowing 2-legged OAuth")
			// oauthlib's 2LO default omits oauth_token. Atlassian's
			// OAuthRequestUtils then sees no OAuth attempt (docs/bitbucket-behaviour.md#dc-oauth1-wire, docs/bitbucket-behaviour.md#source-50),
			// so the request runs anonymously: recent repos need a user.
			r := e.signed(t, oauth1Req{Method: http.MethodGet, URL: whoAmIURL(s), Link: l, TwoLegged: true, Omit: "oauth_token"})
			wantStatus(t, r, http.StatusUnauthorized)
			if strings.Contains(strings.Join(r.header.Values("WWW-Authenticate"), " "), "oauth_problem") || r.header.Get("X-AUSERNAME") != "" {
				t.Errorf("want an anonymous refusal, got WWW-Authenticate %q, X-AUSERNAME %q", r.header.Values("WWW-Authenticate"), r.header.Get("X-AUSERNAME"))
			}
		})},
		{area: area, name: "signature-invalid-on-rest", fn: withLink(func(t *testing.T, e *env, s *Server, l *AppLink, _ oauth1Req) {
			need(t, l.Allow2LO, "a link allowing 2-legged OAuth")
			r := e.signed(t, oauth1Req{Method: http.MethodGet, URL: whoAmIURL(s), Link: l, TwoLegged: true, BadSig: true})
			wantOAuthProblem(t, s, r, http.StatusUnauthorized, "signature_invalid")
		})},
		{area: area, name: "timestamp-refused-old", fn: withLink(func(t *testing.T, e *env, s *Server, l *AppLink, rt oauth1Req) {
			rt.Timestamp = e.now().Add(-10 * time.Minute)
			wantOAuthProblem(t, s, e.signed(t, rt), http.StatusBadRequest, "timestamp_refused")
		})},
		{area: area, name: "timestamp-refused-future", fn: withLink(func(t *testing.T, e *env, s *Server, l *AppLink, rt oauth1Req) {
			rt.Timestamp = e.now().Add(10 * time.Minute)
			wantOAuthProblem(t, s, e.signed(t, rt), http.StatusBadRequest, "timestamp_refused")
		})},
		{area: area, name: "timestamp-refused-via-clock", exclusive: true, fn: withLink(func(t *testing.T, e *env, s *Server, l *AppLink, rt oauth1Req) {
			e.clock(t)
			wall := time.Now()
			e.advance(t, 10*time.Minute) // the server's clock runs ahead of the client's
			rt.Timestamp = wall
			wantOAuthProblem(t, s, e.signed(t, rt), http.StatusBadRequest, "timestamp_refused")
		})},
		{area: area, name: "timestamp-within-window", fn: withLink(func(t *testing.T, e *env, s *Server, l *AppLink, rt oauth1Req) {
			rt.Timestamp = e.now().Add(-2 * time.Minute)
			wantStatus(t, e.signed(t, rt), http.StatusOK)
		})},
		{area: area, name: "nonce-used", fn: withLink(func(t *testing.T, e *env, s *Server, l *AppLink, rt oauth1Req) {
			rt.Nonce, rt.Timestamp = randomNonce(), e.now()
			wantStatus(t, e.signed(t, rt), http.StatusOK)
			wantOAuthProblem(t, s, e.signed(t, rt), http.StatusUnauthorized, "nonce_used")
		})},
		{area: area, name: "consumer-key-unknown", fn: withLink(func(t *testing.T, e *env, s *Server, l *AppLink, rt oauth1Req) {
			rt.Link = &AppLink{ConsumerKey: "unknown-" + randomHex(4), Key: l.Key}
			wantOAuthProblem(t, s, e.signed(t, rt), http.StatusUnauthorized, "consumer_key_unknown")
		})},
		{area: area, name: "token-rejected-unknown", fn: withLink(func(t *testing.T, e *env, s *Server, l *AppLink, _ oauth1Req) {
			r := e.signed(t, oauth1Req{Method: http.MethodGet, URL: whoAmIURL(s), Link: l, Token: "unknown-" + randomHex(8)})
			wantOAuthProblem(t, s, r, http.StatusUnauthorized, "token_rejected")
		})},
		{area: area, name: "token-rejected-request-token-on-rest", fn: withLink(func(t *testing.T, e *env, s *Server, l *AppLink, _ oauth1Req) {
			req := e.requestToken(t, s, l, testCallback).Get("oauth_token")
			r := e.signed(t, oauth1Req{Method: http.MethodGet, URL: whoAmIURL(s), Link: l, Token: req})
			wantOAuthProblem(t, s, r, http.StatusUnauthorized, "token_rejected")
		})},
		{area: area, name: "token-revoked", fn: withLink(func(t *testing.T, e *env, s *Server, l *AppLink, _ oauth1Req) {
			rv := e.revoker(t)
			tok := e.oauth1Access(t, s)
			wantStatus(t, e.signed(t, oauth1Req{Method: http.MethodGet, URL: whoAmIURL(s), Link: l, Token: tok.Token}), http.StatusOK)
			if err := rv.Revoke(e.ctx, tok.Token); err != nil {
				t.Fatalf("revoke: %v", err)
			}
			// docs/bitbucket-behaviour.md#dc-oauth1-problems, docs/bitbucket-behaviour.md#source-58: a revoked token is reported as token_rejected
			// (net.oauth also knows token_revoked; both are 401).
			r := e.signed(t, oauth1Req{Method: http.MethodGet, URL: whoAmIURL(s), Link: l, Token: tok.Token})
			wantOAuthProblem(t, s, r, http.StatusUnauthorized, "token_rejected", "token_revoked")
		})},
		{area: area, name: "token-of-other-consumer-rejected", fn: withLink(func(t *testing.T, e *env, s *Server, l *AppLink, _ oauth1Req) {
			need(t, s.ThreeLOOnly != nil, "a second application link")
			tok := e.oauth1Access(t, s)
			r := e.signed(t, oauth1Req{Method: http.MethodGet, URL: whoAmIURL(s), Link: s.ThreeLOOnly, Token: tok.Token})
			wantOAuthProblem(t, s, r, http.StatusUnauthorized, "token_rejected")
		})},
		{area: area, name: "signature-method-rejected-hmac-sha1", fn: withLink(func(t *testing.T, e *env, s *Server, l *AppLink, rt oauth1Req) {
			rt.SigMethod = "HMAC-SHA1"
			wantOAuthProblem(t, s, e.signed(t, rt), http.StatusBadRequest, "signature_method_rejected")
		})},
		{area: area, name: "parameter-absent-nonce", fn: withLink(func(t *testing.T, e *env, s *Server, l *AppLink, rt oauth1Req) {
			rt.Omit = "oauth_nonce"
			p := wantOAuthProblem(t, s, e.signed(t, rt), http.StatusBadRequest, "parameter_absent")
			if !strings.Contains(p.Get("oauth_parameters_absent"), "oauth_nonce") {
				t.Errorf("oauth_parameters_absent = %q, want it to name oauth_nonce", p.Get("oauth_parameters_absent"))
			}
		})},
		{area: area, name: "parameter-absent-signature", fn: withLink(func(t *testing.T, e *env, s *Server, l *AppLink, rt oauth1Req) {
			rt.Omit = "oauth_signature"
			wantOAuthProblem(t, s, e.signed(t, rt), http.StatusBadRequest, "parameter_absent")
		})},
		{area: area, name: "params-in-query", fn: withLink(func(t *testing.T, e *env, s *Server, l *AppLink, rt oauth1Req) {
			rt.Place = inQuery
			wantStatus(t, e.signed(t, rt), http.StatusOK)
		})},
		{area: area, name: "params-in-form-body", fn: withLink(func(t *testing.T, e *env, s *Server, l *AppLink, rt oauth1Req) {
			rt.Place = inBody
			wantStatus(t, e.signed(t, rt), http.StatusOK)
		})},
		{area: area, name: "form-body-is-signed", fn: withLink(func(t *testing.T, e *env, s *Server, l *AppLink, rt oauth1Req) {
			rt.Form = map[string][]string{"conformance": {"a b&c"}}
			wantStatus(t, e.signed(t, rt), http.StatusOK)
			// The same signature over a different body must fail.
			req, err := rt.build(e.now())
			if err != nil {
				t.Fatal(err)
			}
			body := "conformance=tampered"
			req.Body, req.ContentLength = nopBody(body), int64(len(body))
			wantOAuthProblem(t, s, e.do(t, req), http.StatusUnauthorized, "signature_invalid")
		})},
		{area: area, name: "query-is-signed", fn: withLink(func(t *testing.T, e *env, s *Server, l *AppLink, _ oauth1Req) {
			need(t, l.Allow2LO, "a link allowing 2-legged OAuth")
			o := oauth1Req{Method: http.MethodGet, URL: whoAmIURL(s) + "?limit=5&start=0", Link: l, TwoLegged: true}
			wantStatus(t, e.signed(t, o), http.StatusOK)
			req, err := o.build(e.now())
			if err != nil {
				t.Fatal(err)
			}
			q := req.URL.Query()
			q.Set("limit", "6")
			req.URL.RawQuery = q.Encode()
			wantOAuthProblem(t, s, e.do(t, req), http.StatusUnauthorized, "signature_invalid")
		})},
		{area: area, name: "two-legged-params-in-query", fn: withLink(func(t *testing.T, e *env, s *Server, l *AppLink, _ oauth1Req) {
			need(t, l.Allow2LO && l.ExecuteAs != "", "a link allowing 2-legged OAuth")
			r := e.signed(t, oauth1Req{Method: http.MethodGet, URL: whoAmIURL(s), Link: l, TwoLegged: true, Place: inQuery})
			wantUser(t, r, l.ExecuteAs)
		})},
	}
}
