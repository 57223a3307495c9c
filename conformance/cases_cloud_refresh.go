package conformance

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

// Client authentication at the Cloud token endpoint: docs/bitbucket-behaviour.md#cloud-client-auth.
func cloudClientAuthCases() []testCase {
	const area = "cloud-client-auth"
	cc := url.Values{"grant_type": {"client_credentials"}}
	return []testCase{
		{area: area, name: "basic-url-escaped-secret", fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			need(t, c.Escaped != nil, "a private Cloud consumer whose secret needs URL escaping")
			r := e.postForm(t, cloudTokenURL(c), cc, "Authorization", clientBasic(c.Escaped.Key, c.Escaped.Secret))
			wantCloudToken(t, r, "client_credentials", true)
		}},
		{area: area, name: "form-fields", fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			need(t, c.Escaped != nil, "a private Cloud consumer")
			form := url.Values{"grant_type": {"client_credentials"}, "client_id": {c.Escaped.Key}, "client_secret": {c.Escaped.Secret}}
			wantCloudToken(t, e.postForm(t, cloudTokenURL(c), form), "client_credentials", true)
		}},
		{area: area, name: "missing-unauthorized-client", fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			// docs/bitbucket-behaviour.md#cloud-client-auth: "Requests must be authenticated using OAuth client credentials".
			wantOAuth2Error(t, e.postForm(t, cloudTokenURL(c), cc), 0, "unauthorized_client")
		}},
		{area: area, name: "wrong-secret-refused", fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			need(t, c.Private != nil, "a Cloud consumer")
			r := e.postForm(t, cloudTokenURL(c), cc, "Authorization", clientBasic(c.Private.Key, c.Private.Secret+"x"))
			wantOAuth2Error(t, r, 0, "unauthorized_client", "invalid_client")
		}},
		{area: area, name: "bearer-scheme-refused", fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			need(t, c.Private != nil, "a Cloud consumer")
			// docs/bitbucket-behaviour.md#cloud-client-auth: the scheme must be Basic; Bearer base64(id:secret) gets no token.
			r := e.postForm(t, cloudTokenURL(c), cc, "Authorization", "Bearer "+basic(c.Private.Key, c.Private.Secret)[len("Basic "):])
			if r.status == http.StatusOK {
				if _, ok := r.jsonObject(t)["access_token"]; ok {
					t.Fatalf("a Bearer-wrapped client credential got a token")
				}
			}
		}},
	}
}

// Cloud refresh tokens: docs/bitbucket-behaviour.md#cloud-2025-refresh, docs/bitbucket-behaviour.md#cloud-refresh-rotation.
func cloudRefreshCases() []testCase {
	const area = "cloud-refresh"
	refresh := func(rt string) url.Values {
		return url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}
	}
	return []testCase{
		{area: area, name: "no-rotation-token-reusable", fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			need(t, c.Private != nil, "a Cloud consumer")
			e.mockOnly(t, "real Cloud rotates refresh tokens since 2026 (docs/bitbucket-behaviour.md#cloud-refresh-rotation)")
			rt := str(e.cloudUserTokens(t, c, c.Private), "refresh_token")
			for i := range 2 {
				m := wantCloudToken(t, e.cloudToken(t, c, c.Private, refresh(rt)), "refresh_token", true)
				if got := str(m, "refresh_token"); got != rt {
					t.Errorf("refresh %d returned another refresh token; consumer %s does not rotate", i+1, c.Private.Key)
				}
				wantStatus(t, e.cloudUser(t, c, "", "Authorization", bearer(str(m, "access_token"))), http.StatusOK)
			}
		}},
		{area: area, name: "response-shape", fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			need(t, c.Private != nil, "a Cloud consumer")
			if c.RefreshToken != nil {
				e.cloudUserTokens(t, c, c.Private) // the refresh itself is the check
				return
			}
			rt := str(e.cloudUserTokens(t, c, c.Private), "refresh_token")
			wantCloudToken(t, e.cloudToken(t, c, c.Private, refresh(rt)), "refresh_token", true)
		}},
		{area: area, name: "rotation-new-token", fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			need(t, c.Rotating != nil, "a rotating Cloud consumer")
			rt := str(e.cloudUserTokens(t, c, c.Rotating), "refresh_token")
			m := wantCloudToken(t, e.cloudToken(t, c, c.Rotating, refresh(rt)), "refresh_token", true)
			next := str(m, "refresh_token")
			if next == rt {
				t.Fatalf("rotating consumer returned the same refresh token")
			}
			wantCloudToken(t, e.cloudToken(t, c, c.Rotating, refresh(next)), "refresh_token", true)
		}},
		{area: area, name: "rotation-grace-then-dead", exclusive: true, fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			need(t, c.Rotating != nil, "a rotating Cloud consumer")
			e.clock(t)
			rt := str(e.cloudUserTokens(t, c, c.Rotating), "refresh_token")
			wantCloudToken(t, e.cloudToken(t, c, c.Rotating, refresh(rt)), "refresh_token", true)
			e.advance(t, c.Rotating.Grace/2)
			// Inside the grace window the old token still works (docs/bitbucket-behaviour.md#cloud-refresh-rotation).
			wantCloudToken(t, e.cloudToken(t, c, c.Rotating, refresh(rt)), "refresh_token", true)
			e.advance(t, c.Rotating.Grace)
			// After it, the old token is dead: invalid_request (docs/bitbucket-behaviour.md#cloud-2025-refresh).
			wantOAuth2Error(t, e.cloudToken(t, c, c.Rotating, refresh(rt)), 0, "invalid_request")
		}},
		{area: area, name: "rotated-token-survives-grace", exclusive: true, fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			need(t, c.Rotating != nil, "a rotating Cloud consumer")
			e.clock(t)
			rt := str(e.cloudUserTokens(t, c, c.Rotating), "refresh_token")
			next := str(wantCloudToken(t, e.cloudToken(t, c, c.Rotating, refresh(rt)), "refresh_token", true), "refresh_token")
			e.advance(t, c.Rotating.Grace+time.Minute)
			wantCloudToken(t, e.cloudToken(t, c, c.Rotating, refresh(next)), "refresh_token", true)
		}},
		{area: area, name: "unknown-token-invalid-request", fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			need(t, c.Private != nil, "a Cloud consumer")
			// docs/bitbucket-behaviour.md#cloud-2025-refresh: "Invalid refresh_token" is invalid_request, not invalid_grant.
			wantOAuth2Error(t, e.cloudToken(t, c, c.Private, refresh("Zz"+randomHex(8))), 0, "invalid_request")
		}},
		{area: area, name: "revoked-grant-dead", fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			need(t, c.Private != nil, "a Cloud consumer")
			m := e.cloudUserTokens(t, c, c.Private)
			if err := e.revoker(t).Revoke(e.ctx, str(m, "refresh_token")); err != nil {
				t.Fatalf("revoke: %v", err)
			}
			wantOAuth2Error(t, e.cloudToken(t, c, c.Private, refresh(str(m, "refresh_token"))), 0, "invalid_request", "invalid_grant")
		}},
		{area: area, name: "other-client-refused", fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			need(t, c.Private != nil && c.Rotating != nil, "two Cloud consumers")
			rt := str(e.cloudUserTokens(t, c, c.Private), "refresh_token")
			wantOAuth2Error(t, e.cloudToken(t, c, c.Rotating, refresh(rt)), 0, "invalid_request", "invalid_grant")
		}},
		{area: area, name: "new-access-token-after-expiry", exclusive: true, fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			need(t, c.Private != nil, "a Cloud consumer")
			e.clock(t)
			m := e.cloudUserTokens(t, c, c.Private)
			e.advance(t, 2*time.Hour+time.Minute)
			wantStatus(t, e.cloudUser(t, c, "", "Authorization", bearer(str(m, "access_token"))), http.StatusUnauthorized)
			n := wantCloudToken(t, e.cloudToken(t, c, c.Private, refresh(str(m, "refresh_token"))), "refresh_token", true)
			wantStatus(t, e.cloudUser(t, c, "", "Authorization", bearer(str(n, "access_token"))), http.StatusOK)
		}},
	}
}
