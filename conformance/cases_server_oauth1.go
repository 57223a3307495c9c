package conformance

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dghubble/oauth1"
)

// Server/DC OAuth 1.0a application links, the three legs and 2LO: docs/bitbucket-behaviour.md#dc-oauth1-endpoints, docs/bitbucket-behaviour.md#dc-oauth1-wire.
func serverOAuth1Cases() []testCase {
	const area = "server-oauth1"
	withLink := func(fn func(t *testing.T, e *env, s *Server, l *AppLink)) func(*testing.T, *env) {
		return func(t *testing.T, e *env) {
			s := e.server(t)
			need(t, s.Link != nil, "an application link (CONFORMANCE_SERVER_CONSUMER_KEY)")
			fn(t, e, s, s.Link)
		}
	}
	return []testCase{
		{area: area, name: "request-token", fn: withLink(func(t *testing.T, e *env, s *Server, l *AppLink) {
			r := e.signed(t, oauth1Req{Method: http.MethodPost, URL: oauth1URL(s, "request-token"), Link: l, Callback: testCallback})
			wantStatus(t, r, http.StatusOK)
			if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
				t.Errorf("Content-Type = %q, want text/plain (docs/bitbucket-behaviour.md#dc-oauth1-wire)", ct)
			}
			v := r.form(t)
			if v.Get("oauth_token") == "" || v.Get("oauth_token_secret") == "" || v.Get("oauth_callback_confirmed") != "true" {
				t.Errorf("want oauth_token, oauth_token_secret and oauth_callback_confirmed=true, got keys %v (confirmed=%q)",
					keysOf(v), v.Get("oauth_callback_confirmed"))
			}
		})},
		{area: area, name: "request-token-oob", fn: withLink(func(t *testing.T, e *env, s *Server, l *AppLink) {
			e.requestToken(t, s, l, "oob")
		})},
		{area: area, name: "request-token-bad-callback-parameter-rejected", fn: withLink(func(t *testing.T, e *env, s *Server, l *AppLink) {
			r := e.signed(t, oauth1Req{Method: http.MethodPost, URL: oauth1URL(s, "request-token"), Link: l, Callback: "not a uri"})
			p := wantOAuthProblem(t, s, r, http.StatusBadRequest, "parameter_rejected")
			if got := p.Get("oauth_parameters_rejected"); got != "oauth_callback" {
				t.Errorf("oauth_parameters_rejected = %q, want oauth_callback", got)
			}
		})},
		{area: area, name: "authorize-redirects-with-verifier", fn: withLink(func(t *testing.T, e *env, s *Server, l *AppLink) {
			e.consent(t)
			rt := e.requestToken(t, s, l, testCallback).Get("oauth_token")
			e.authorizeOAuth1(t, s, rt)
		})},
		{area: area, name: "access-token", fn: withLink(func(t *testing.T, e *env, s *Server, l *AppLink) {
			e.consent(t)
			v := e.oauth1Dance(t, s, l)
			if v.Get("oauth_token") == "" || v.Get("oauth_token_secret") == "" || v.Get("oauth_session_handle") == "" {
				t.Errorf("access token answer lacks oauth_token, oauth_token_secret or oauth_session_handle: keys %v", keysOf(v))
			}
			exp, err := strconv.ParseInt(v.Get("oauth_expires_in"), 10, 64)
			if d := time.Duration(exp) * time.Second; err != nil || d < fiveYears-48*time.Hour || d > fiveYears+48*time.Hour {
				t.Errorf("oauth_expires_in = %q, want about five years (docs/bitbucket-behaviour.md#dc-oauth1-wire)", v.Get("oauth_expires_in"))
			}
			auth, err := strconv.ParseInt(v.Get("oauth_authorization_expires_in"), 10, 64)
			if err != nil || auth < exp {
				t.Errorf("oauth_authorization_expires_in = %q, want at least oauth_expires_in", v.Get("oauth_authorization_expires_in"))
			}
		})},
		{area: area, name: "access-token-wrong-verifier", fn: withLink(func(t *testing.T, e *env, s *Server, l *AppLink) {
			e.consent(t)
			rt := e.requestToken(t, s, l, testCallback).Get("oauth_token")
			e.authorizeOAuth1(t, s, rt)
			wantOAuthProblem(t, s, e.accessTokenLeg(t, s, l, rt, "wrong-"+randomHex(3)), http.StatusUnauthorized, "token_rejected")
		})},
		{area: area, name: "access-token-before-authorize", fn: withLink(func(t *testing.T, e *env, s *Server, l *AppLink) {
			rt := e.requestToken(t, s, l, testCallback).Get("oauth_token")
			wantOAuthProblem(t, s, e.accessTokenLeg(t, s, l, rt, "123456"), http.StatusUnauthorized, "permission_unknown")
		})},
		{area: area, name: "access-token-request-token-single-use", fn: withLink(func(t *testing.T, e *env, s *Server, l *AppLink) {
			e.consent(t)
			rt := e.requestToken(t, s, l, testCallback).Get("oauth_token")
			ver := e.authorizeOAuth1(t, s, rt)
			wantStatus(t, e.accessTokenLeg(t, s, l, rt, ver), http.StatusOK)
			wantOAuthProblem(t, s, e.accessTokenLeg(t, s, l, rt, ver), http.StatusUnauthorized, "token_rejected", "token_used")
		})},
		{area: area, name: "request-token-expires-10m", exclusive: true, fn: withLink(func(t *testing.T, e *env, s *Server, l *AppLink) {
			e.consent(t)
			e.clock(t)
			rt := e.requestToken(t, s, l, testCallback).Get("oauth_token")
			ver := e.authorizeOAuth1(t, s, rt)
			e.advance(t, 11*time.Minute)
			wantOAuthProblem(t, s, e.accessTokenLeg(t, s, l, rt, ver), http.StatusUnauthorized, "token_expired")
		})},
		{area: area, name: "request-token-other-consumer", fn: withLink(func(t *testing.T, e *env, s *Server, l *AppLink) {
			need(t, s.ThreeLOOnly != nil, "a second application link")
			e.consent(t)
			rt := e.requestToken(t, s, l, testCallback).Get("oauth_token")
			ver := e.authorizeOAuth1(t, s, rt)
			wantOAuthProblem(t, s, e.accessTokenLeg(t, s, s.ThreeLOOnly, rt, ver), http.StatusUnauthorized, "token_rejected")
		})},
		{area: area, name: "three-legged-rest-as-user", fn: withLink(func(t *testing.T, e *env, s *Server, l *AppLink) {
			tok := e.oauth1Access(t, s)
			need(t, tok.User != "", "the user of the access token (CONFORMANCE_SERVER_USER)")
			wantUser(t, e.signed(t, oauth1Req{Method: http.MethodGet, URL: whoAmIURL(s), Link: l, Token: tok.Token}), tok.User)
		})},
		{area: area, name: "three-legged-dghubble-client", fn: withLink(func(t *testing.T, e *env, s *Server, l *AppLink) {
			e.consent(t)
			need(t, s.User != nil, "the session user")
			// An OAuth 1 client nobody here wrote (docs/bitbucket-behaviour.md#dc-oauth1-wire, docs/bitbucket-behaviour.md#source-57).
			cfg := oauth1.Config{
				ConsumerKey: l.ConsumerKey, CallbackURL: testCallback,
				Endpoint: oauth1.Endpoint{RequestTokenURL: oauth1URL(s, "request-token"),
					AuthorizeURL: oauth1URL(s, "authorize"), AccessTokenURL: oauth1URL(s, "access-token")},
				Signer:     &oauth1.RSASigner{PrivateKey: l.Key},
				HTTPClient: &http.Client{Timeout: 30 * time.Second},
			}
			ctx := context.WithValue(e.ctx, oauth1.HTTPClient, &http.Client{Timeout: 30 * time.Second})
			rt, rs, err := cfg.RequestToken()
			if err != nil {
				t.Fatalf("dghubble RequestToken: %v", err)
			}
			au, err := cfg.AuthorizationURL(rt)
			if err != nil {
				t.Fatal(err)
			}
			cb := redirectTo(t, e.authorize(t, au.String()))
			_, ver, err := oauth1.ParseAuthorizationCallback(&http.Request{URL: cb, Method: http.MethodGet})
			if err != nil {
				t.Fatalf("dghubble ParseAuthorizationCallback: %v", err)
			}
			at, as, err := cfg.AccessToken(rt, rs, ver)
			if err != nil {
				t.Fatalf("dghubble AccessToken: %v", err)
			}
			client := cfg.Client(ctx, oauth1.NewToken(at, as))
			resp, err := client.Get(whoAmIURL(s))
			if err != nil {
				t.Fatal(err)
			}
			wantUser(t, readResponse(t, resp), s.User.Slug)
		})},
		{area: area, name: "access-token-expires-5y", exclusive: true, fn: withLink(func(t *testing.T, e *env, s *Server, l *AppLink) {
			e.consent(t)
			e.clock(t)
			tok := e.oauth1Access(t, s)
			e.advance(t, fiveYears+40*24*time.Hour)
			r := e.signed(t, oauth1Req{Method: http.MethodGet, URL: whoAmIURL(s), Link: l, Token: tok.Token})
			wantOAuthProblem(t, s, r, http.StatusUnauthorized, "token_expired")
		})},
		{area: area, name: "two-legged-execute-as", fn: withLink(func(t *testing.T, e *env, s *Server, l *AppLink) {
			need(t, l.Allow2LO && l.ExecuteAs != "", "a link allowing 2-legged OAuth with an execute-as user (CONFORMANCE_SERVER_EXECUTE_AS)")
			wantUser(t, e.signed(t, oauth1Req{Method: http.MethodGet, URL: whoAmIURL(s), Link: l, TwoLegged: true}), l.ExecuteAs)
		})},
		{area: area, name: "two-legged-refused-on-3lo-only-link", fn: func(t *testing.T, e *env) {
			s := e.server(t)
			need(t, s.ThreeLOOnly != nil, "a link allowing only 3-legged OAuth (CONFORMANCE_SERVER_3LO_CONSUMER_KEY)")
			r := e.signed(t, oauth1Req{Method: http.MethodGet, URL: whoAmIURL(s), Link: s.ThreeLOOnly, TwoLegged: true})
			wantOAuthProblem(t, s, r, http.StatusUnauthorized, "permission_denied", "permission_unknown", "consumer_key_rejected")
		}},
		{area: area, name: "impersonation", fn: withLink(func(t *testing.T, e *env, s *Server, l *AppLink) {
			need(t, l.AllowImpersonation && s.Impersonate != "", "a link allowing impersonation and a user to impersonate (CONFORMANCE_SERVER_IMPERSONATE)")
			r := e.signed(t, oauth1Req{Method: http.MethodGet, URL: whoAmIURL(s), Link: l, TwoLegged: true,
				Extra: url.Values{"xoauth_requestor_id": {s.Impersonate}}})
			wantUser(t, r, s.Impersonate)
		})},
		{area: area, name: "impersonation-refused-on-3lo-only-link", fn: func(t *testing.T, e *env) {
			s := e.server(t)
			need(t, s.ThreeLOOnly != nil && s.Impersonate != "", "a 3-legged-only link and a user")
			r := e.signed(t, oauth1Req{Method: http.MethodGet, URL: whoAmIURL(s), Link: s.ThreeLOOnly, TwoLegged: true,
				Extra: url.Values{"xoauth_requestor_id": {s.Impersonate}}})
			wantOAuthProblem(t, s, r, http.StatusUnauthorized, "permission_denied", "permission_unknown", "consumer_key_rejected")
		}},
		{area: area, name: "impersonation-unknown-user", fn: withLink(func(t *testing.T, e *env, s *Server, l *AppLink) {
			need(t, l.AllowImpersonation, "a link allowing impersonation")
			r := e.signed(t, oauth1Req{Method: http.MethodGet, URL: whoAmIURL(s), Link: l, TwoLegged: true,
				Extra: url.Values{"xoauth_requestor_id": {"nobody-" + randomHex(3)}}})
			if r.status != http.StatusUnauthorized {
				t.Fatalf("impersonating an unknown user: want 401, got %s", r)
			}
		})},
	}
}
