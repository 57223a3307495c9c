package conformance

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// Cloud OAuth 2 grants: docs/bitbucket-behaviour.md#cloud-2025-token-response, docs/bitbucket-behaviour.md#cloud-endpoints, docs/bitbucket-behaviour.md#cloud-grants.
func cloudOAuth2Cases() []testCase {
	const area = "cloud-oauth2"
	return []testCase{
		{area: area, name: "authcode-state-echo", fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			need(t, c.Private != nil, "a Cloud consumer")
			_, cb := e.cloudCode(t, c, c.Private, nil) // checks the echoed state
			if want := mustURL(t, c.Private.Callback); cb.Host != want.Host {
				t.Errorf("redirected to host %q, want the consumer's callback host %q", cb.Host, want.Host)
			}
		}},
		{area: area, name: "authcode-token-response", fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			need(t, c.Private != nil, "a Cloud consumer")
			code, _ := e.cloudCode(t, c, c.Private, nil)
			m := wantCloudToken(t, c, e.cloudToken(t, c, c.Private, url.Values{"grant_type": {"authorization_code"}, "code": {code}}),
				"authorization_code", true)
			if diff := cmp.Diff(scopeSet(strings.Join(c.Private.Scopes, " ")), scopeSet(tokenScopes(m))); diff != "" {
				t.Errorf("scopes differ from the consumer's (-want +got):\n%s", diff)
			}
		}},
		{area: area, name: "authcode-redirect-extends-callback", fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			need(t, c.Private != nil, "a Cloud consumer")
			ext := strings.TrimSuffix(c.Private.Callback, "/") + "/conformance/sub?x=1"
			_, cb := e.cloudCode(t, c, c.Private, url.Values{"redirect_uri": {ext}})
			if !strings.HasPrefix(cb.String(), strings.TrimSuffix(c.Private.Callback, "/")+"/conformance/sub") {
				t.Errorf("redirected to %s, want the requested redirect_uri", redactURL(cb))
			}
		}},
		{area: area, name: "authcode-redirect-omitted-uses-callback", fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			need(t, c.Private != nil, "a Cloud consumer")
			_, cb := e.cloudCode(t, c, c.Private, nil)
			cb.RawQuery = ""
			want := mustURL(t, c.Private.Callback)
			if cb.Scheme != want.Scheme || cb.Host != want.Host || strings.TrimSuffix(cb.Path, "/") != strings.TrimSuffix(want.Path, "/") {
				t.Errorf("redirected to %s, want the consumer's callback %s", cb, want)
			}
		}},
		{area: area, name: "authcode-bad-redirect-error-page", fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			need(t, c.Private != nil, "a Cloud consumer")
			e.consent(t)
			q := url.Values{"client_id": {c.Private.Key}, "response_type": {"code"}, "state": {"s"},
				"redirect_uri": {"http://evil.invalid/steal"}}
			wantErrorPage(t, e.authorize(t, cloudAuthorizeURL(c, q)))
		}},
		{area: area, name: "authcode-unknown-client-error-page", fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			e.consent(t)
			q := url.Values{"client_id": {"no-such-client-" + randomHex(4)}, "response_type": {"code"}, "state": {"s"}}
			wantErrorPage(t, e.authorize(t, cloudAuthorizeURL(c, q)))
		}},
		{area: area, name: "authcode-single-use", fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			need(t, c.Private != nil, "a Cloud consumer")
			code, _ := e.cloudCode(t, c, c.Private, nil)
			form := url.Values{"grant_type": {"authorization_code"}, "code": {code}}
			wantCloudToken(t, c, e.cloudToken(t, c, c.Private, form), "authorization_code", true)
			// RFC 6749 §4.1.2: a code is single-use. Cloud's exact code is
			// UNCONFIRMED; invalid_grant (RFC) or invalid_request (Cloud's habit).
			wantOAuth2Error(t, e.cloudToken(t, c, c.Private, form), 0, "invalid_grant", "invalid_request")
		}},
		{area: area, name: "authcode-reuse-revokes-tokens", fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			need(t, c.Private != nil, "a Cloud consumer")
			code, _ := e.cloudCode(t, c, c.Private, nil)
			form := url.Values{"grant_type": {"authorization_code"}, "code": {code}}
			m := wantCloudToken(t, c, e.cloudToken(t, c, c.Private, form), "authorization_code", true)
			wantStatus(t, e.cloudUser(t, c, "", "Authorization", bearer(str(m, "access_token"))), http.StatusOK)
			wantClientError(t, e.cloudToken(t, c, c.Private, form))
			// RFC 6749 §4.1.2: tokens issued from a reused code are revoked.
			wantStatus(t, e.cloudUser(t, c, "", "Authorization", bearer(str(m, "access_token"))), http.StatusUnauthorized)
			wantOAuth2Error(t, e.cloudToken(t, c, c.Private, url.Values{"grant_type": {"refresh_token"},
				"refresh_token": {str(m, "refresh_token")}}), 0, "invalid_request", "invalid_grant", "unauthorized_client")
		}},
		{area: area, name: "authcode-code-expires", exclusive: true, fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			need(t, c.Private != nil, "a Cloud consumer")
			e.clock(t)
			code, _ := e.cloudCode(t, c, c.Private, nil)
			e.advance(t, time.Hour) // codes are short-lived (RFC 6749 §4.1.2: 10 minutes at most)
			wantOAuth2Error(t, e.cloudToken(t, c, c.Private, url.Values{"grant_type": {"authorization_code"}, "code": {code}}),
				0, "invalid_grant", "invalid_request")
		}},
		{area: area, name: "authcode-wrong-client", fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			need(t, c.Private != nil && c.Public != nil, "two Cloud consumers")
			code, _ := e.cloudCode(t, c, c.Private, nil)
			wantOAuth2Error(t, e.cloudToken(t, c, c.Public, url.Values{"grant_type": {"authorization_code"}, "code": {code}}),
				0, "invalid_grant", "invalid_request")
		}},
		{area: area, name: "pkce-s256-good-verifier", fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			need(t, c.Private != nil, "a Cloud consumer")
			v, ch := pkce()
			code, _ := e.cloudCode(t, c, c.Private, url.Values{"code_challenge": {ch}, "code_challenge_method": {"S256"}})
			wantCloudToken(t, c, e.cloudToken(t, c, c.Private, url.Values{"grant_type": {"authorization_code"}, "code": {code},
				"code_verifier": {v}}), "authorization_code", true)
		}},
		{area: area, name: "pkce-ignored-bad-verifier", fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			need(t, c.Private != nil, "a Cloud consumer")
			// Cloud does not offer PKCE (BCLOUD-23469) and ignores its
			// parameters (docs/bitbucket-behaviour.md#cloud-endpoints): a wrong verifier still gets a token.
			_, ch := pkce()
			code, _ := e.cloudCode(t, c, c.Private, url.Values{"code_challenge": {ch}, "code_challenge_method": {"S256"}})
			wantCloudToken(t, c, e.cloudToken(t, c, c.Private, url.Values{"grant_type": {"authorization_code"}, "code": {code},
				"code_verifier": {randomHex(32)}}), "authorization_code", true)
		}},
		{area: area, name: "implicit-fragment", fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			need(t, c.Private != nil, "a Cloud consumer")
			q := url.Values{"client_id": {c.Private.Key}, "response_type": {"token"}, "state": {"imp"}}
			cb := redirectTo(t, e.authorize(t, cloudAuthorizeURL(c, q)))
			if cb.Query().Has("access_token") {
				t.Errorf("implicit token sent in the query; it belongs in the fragment")
			}
			frag, err := url.ParseQuery(cb.Fragment)
			if err != nil {
				t.Fatalf("fragment is not form-encoded: %v", err)
			}
			if frag.Get("access_token") == "" {
				t.Fatalf("fragment has no access_token (keys %v)", keysOf(frag))
			}
			if got := frag.Get("token_type"); !strings.EqualFold(got, "bearer") {
				t.Errorf("token_type = %q, want bearer", got)
			}
			if frag.Has("refresh_token") {
				t.Errorf("implicit grant gave a refresh_token (docs/bitbucket-behaviour.md#cloud-grants: none)")
			}
			wantStatus(t, e.cloudUser(t, c, "", "Authorization", bearer(frag.Get("access_token"))), http.StatusOK)
		}},
		{area: area, name: "client-credentials-private", fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			need(t, c.Private != nil, "a private Cloud consumer")
			r := e.cloudToken(t, c, c.Private, url.Values{"grant_type": {"client_credentials"}})
			// docs/bitbucket-behaviour.md#cloud-2025-refresh: every grant but implicit and JWT gave a refresh token;
			// since 2026 client credentials give none (docs/bitbucket-behaviour.md#cloud-2026).
			m := wantCloudToken(t, c, r, "client_credentials", !c.modern())
			wantStatus(t, e.cloudUser(t, c, "", "Authorization", bearer(str(m, "access_token"))), http.StatusOK)
		}},
		{area: area, name: "client-credentials-exact-fields", fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			need(t, c.Private != nil, "a private Cloud consumer")
			m := e.cloudClientCredentials(t, c, c.Private)
			if c.modern() {
				// docs/bitbucket-behaviour.md#cloud-2026: scope, no refresh token; no state is the mock's choice.
				if c.Mock {
					if diff := cmp.Diff([]string{"access_token", "expires_in", "scope", "token_type"}, keys(m)); diff != "" {
						t.Errorf("token response keys (-want +got):\n%s", diff)
					}
				}
				if _, ok := m["refresh_token"]; ok || str(m, "scope") == "" || m["scopes"] != nil {
					t.Errorf("era 2026 client credentials: keys %v, want scope and no refresh_token or scopes", keys(m))
				}
				return
			}
			want := []string{"access_token", "expires_in", "refresh_token", "scopes", "state", "token_type"}
			if diff := cmp.Diff(want, keys(m)); diff != "" {
				t.Errorf("token response keys (-want +got):\n%s", diff)
			}
			if str(m, "state") != "client_credentials" || str(m, "token_type") != "bearer" {
				t.Errorf("state %q token_type %q, want client_credentials, bearer", str(m, "state"), str(m, "token_type"))
			}
		}},
		{area: area, name: "client-credentials-non-private-refused", fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			need(t, c.Public != nil, "a non-private Cloud consumer (CONFORMANCE_CLOUD_PUBLIC_CLIENT_ID)")
			r := e.cloudToken(t, c, c.Public, url.Values{"grant_type": {"client_credentials"}})
			// The exact code is UNCONFIRMED (docs/bitbucket-behaviour.md#cloud-endpoints): any RFC 6749 client error.
			wantOAuth2Error(t, r, 0, "unauthorized_client", "invalid_grant", "invalid_request", "unsupported_grant_type", "invalid_client")
		}},
		{area: area, name: "password-grant-refused", fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			need(t, c.Private != nil, "a Cloud consumer")
			r := e.cloudToken(t, c, c.Private, url.Values{"grant_type": {"password"}, "username": {"alice"}, "password": {"nope"}})
			wantOAuth2Error(t, r, 0, "invalid_request", "unsupported_grant_type", "invalid_grant", "unauthorized_client")
		}},
		{area: area, name: "missing-grant-type", fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			need(t, c.Private != nil, "a Cloud consumer")
			// docs/bitbucket-behaviour.md#cloud-2025-refresh: "Unsupported grant type: None" with invalid_grant.
			wantOAuth2Error(t, e.cloudToken(t, c, c.Private, url.Values{}), 0, "invalid_grant")
		}},
		{area: area, name: "no-callback-consumer-invalid-request", fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			need(t, c.NoCallback != nil, "a Cloud consumer without a callback URL")
			// docs/bitbucket-behaviour.md#cloud-endpoints: 400 invalid_request, even for client_credentials.
			wantOAuth2Error(t, e.cloudToken(t, c, c.NoCallback, url.Values{"grant_type": {"client_credentials"}}),
				http.StatusBadRequest, "invalid_request")
		}},
		{area: area, name: "long-tokens", fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			need(t, c.Long != nil, "a Cloud consumer with long tokens")
			m := e.cloudUserTokens(t, c, c.Long)
			at, rt := str(m, "access_token"), str(m, "refresh_token")
			if len(at) <= 2500 {
				t.Errorf("access_token is %d characters, want more than 2,500 (docs/bitbucket-behaviour.md#cloud-refresh-rotation)", len(at))
			}
			if !isURLSafe(at) || !isURLSafe(rt) {
				t.Errorf("long tokens are not URL-safe")
			}
			wantStatus(t, e.cloudUser(t, c, "", "Authorization", bearer(at)), http.StatusOK)
		}},
	}
}

// mockOnly skips on targets that are not the mock, where a case checks a
// behaviour the mock adds on purpose beyond the real service.
func (e *env) mockOnly(t *testing.T, why string) {
	t.Helper()
	if _, ok := e.tgt.(Mock); !ok {
		t.Skip(why)
	}
}
