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
			wantCloudToken(t, c, r, "client_credentials", !c.modern())
		}},
		{area: area, name: "form-fields", fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			need(t, c.Escaped != nil, "a private Cloud consumer")
			form := url.Values{"grant_type": {"client_credentials"}, "client_id": {c.Escaped.Key}, "client_secret": {c.Escaped.Secret}}
			wantCloudToken(t, c, e.postForm(t, cloudTokenURL(c), form), "client_credentials", !c.modern())
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

// Cloud refresh tokens: docs/bitbucket-behaviour.md#cloud-2026 (since 2026-05-04), docs/bitbucket-behaviour.md#cloud-2025-refresh, docs/bitbucket-behaviour.md#cloud-refresh-rotation.
func cloudRefreshCases() []testCase {
	const area = "cloud-refresh"
	refresh := func(rt string) url.Values {
		return url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}
	}
	// rotating is the consumer whose refresh tokens rotate in c's era:
	// every one since 2026 (docs/bitbucket-behaviour.md#cloud-2026), the "rotate" one before.
	rotating := func(t *testing.T, c *Cloud) *Consumer {
		t.Helper()
		if c.modern() {
			need(t, c.Private != nil, "a Cloud consumer")
			return c.Private
		}
		need(t, c.Rotating != nil, "a rotating Cloud consumer")
		return c.Rotating
	}
	// dead is how a refused refresh token is answered: since 2026
	// 400 unauthorized_client "Invalid OAuth client credentials" (docs/bitbucket-behaviour.md#cloud-2026),
	// before it invalid_request "Invalid refresh_token" (docs/bitbucket-behaviour.md#cloud-2025-refresh).
	dead := func(t *testing.T, c *Cloud, r *response) {
		t.Helper()
		if c.modern() {
			m := wantOAuth2Error(t, r, http.StatusBadRequest, "unauthorized_client")
			if c.Mock && str(m, "error_description") != "Invalid OAuth client credentials" {
				t.Errorf("error_description = %q, want the observed text (docs/bitbucket-behaviour.md#cloud-2026)", str(m, "error_description"))
			}
			return
		}
		wantOAuth2Error(t, r, 0, "invalid_request")
	}
	refused := []string{"invalid_request", "invalid_grant", "unauthorized_client"}
	modern := func(t *testing.T, c *Cloud) {
		t.Helper()
		if !c.modern() {
			t.Skipf("era %s target: checks Cloud since 2026-05-04 (docs/bitbucket-behaviour.md#cloud-2026)", c.Era)
		}
	}
	return []testCase{
		{area: area, name: "no-rotation-token-reusable", fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			need(t, c.Private != nil, "a Cloud consumer")
			if c.modern() {
				t.Skip("since 2026 every consumer rotates (docs/bitbucket-behaviour.md#cloud-2026)")
			}
			e.mockOnly(t, "real Cloud rotates refresh tokens since 2026 (docs/bitbucket-behaviour.md#cloud-refresh-rotation)")
			rt := str(e.cloudUserTokens(t, c, c.Private), "refresh_token")
			for i := range 2 {
				m := wantCloudToken(t, c, e.cloudToken(t, c, c.Private, refresh(rt)), "refresh_token", true)
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
			wantCloudToken(t, c, e.cloudToken(t, c, c.Private, refresh(rt)), "refresh_token", true)
		}},
		{area: area, name: "rotation-new-token", fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			k := rotating(t, c)
			// What a real Cloud shows (docs/bitbucket-behaviour.md#cloud-2026): each refresh returns a new
			// refresh token, and the new one works. On a real target the run
			// stores the last one.
			twice := func(rt string) string {
				m := wantCloudToken(t, c, e.cloudToken(t, c, k, refresh(rt)), "refresh_token", true)
				next := str(m, "refresh_token")
				if next == rt {
					t.Fatalf("consumer %s returned the same refresh token; it rotates in era %s", k.Key, c.Era)
				}
				return str(wantCloudToken(t, c, e.cloudToken(t, c, k, refresh(next)), "refresh_token", true), "refresh_token")
			}
			if _, ok := e.tgt.(AutoConsent); !ok && c.RefreshToken != nil && k == c.Private {
				if err := c.RefreshToken.Use(func(rt string) (string, error) { return twice(rt), nil }); err != nil {
					t.Fatal(err)
				}
				return
			}
			twice(str(e.cloudUserTokens(t, c, k), "refresh_token"))
		}},
		{area: area, name: "rotation-grace-then-dead", exclusive: true, fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			k := rotating(t, c)
			e.clock(t)
			rt := str(e.cloudUserTokens(t, c, k), "refresh_token")
			wantCloudToken(t, c, e.cloudToken(t, c, k, refresh(rt)), "refresh_token", true)
			e.advance(t, c.graceOf(k)/2)
			// Inside the grace window the old token still works (docs/bitbucket-behaviour.md#cloud-2026, docs/bitbucket-behaviour.md#cloud-refresh-rotation).
			wantCloudToken(t, c, e.cloudToken(t, c, k, refresh(rt)), "refresh_token", true)
			e.advance(t, c.graceOf(k))
			dead(t, c, e.cloudToken(t, c, k, refresh(rt)))
		}},
		{area: area, name: "rotated-token-survives-grace", exclusive: true, fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			k := rotating(t, c)
			e.clock(t)
			rt := str(e.cloudUserTokens(t, c, k), "refresh_token")
			next := str(wantCloudToken(t, c, e.cloudToken(t, c, k, refresh(rt)), "refresh_token", true), "refresh_token")
			e.advance(t, c.graceOf(k)+c.Lockout+time.Minute)
			wantCloudToken(t, c, e.cloudToken(t, c, k, refresh(next)), "refresh_token", true)
		}},
		{area: area, name: "dead-token-locks-out-then-valid-again", exclusive: true, fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			modern(t, c)
			k := rotating(t, c)
			e.clock(t)
			rt := str(e.cloudUserTokens(t, c, k), "refresh_token")
			next := str(wantCloudToken(t, c, e.cloudToken(t, c, k, refresh(rt)), "refresh_token", true), "refresh_token")
			e.advance(t, c.graceOf(k)+time.Second)
			dead(t, c, e.cloudToken(t, c, k, refresh(rt)))
			// docs/bitbucket-behaviour.md#cloud-2026: right after, the consumer's valid token is refused the same way...
			dead(t, c, e.cloudToken(t, c, k, refresh(next)))
			// ...and works again once the lockout is over.
			e.advance(t, c.Lockout+time.Second)
			wantCloudToken(t, c, e.cloudToken(t, c, k, refresh(next)), "refresh_token", true)
		}},
		{area: area, name: "unused-90-days-dead", exclusive: true, fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			modern(t, c)
			k := rotating(t, c)
			e.clock(t)
			rt := str(e.cloudUserTokens(t, c, k), "refresh_token")
			e.advance(t, c.Idle+time.Minute)
			dead(t, c, e.cloudToken(t, c, k, refresh(rt)))
		}},
		{area: area, name: "policy-control", exclusive: true, fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			modern(t, c)
			k := rotating(t, c)
			ctl := ability[RefreshControl](t, e.tgt, "has no refresh-policy control")
			e.clock(t)
			if p, err := ctl.CloudRefreshPolicy(e.ctx); err != nil || p.Era != "2026" || p.Grace != c.Grace.String() {
				t.Fatalf("policy %+v, %v: want era 2026 and grace %s", p, err, c.Grace)
			}
			if err := ctl.SetCloudRefreshPolicy(e.ctx, RefreshPolicy{Grace: "30s", Lockout: "0s"}); err != nil {
				t.Fatal(err)
			}
			rt := str(e.cloudUserTokens(t, c, k), "refresh_token")
			next := str(wantCloudToken(t, c, e.cloudToken(t, c, k, refresh(rt)), "refresh_token", true), "refresh_token")
			e.advance(t, 31*time.Second)
			dead(t, c, e.cloudToken(t, c, k, refresh(rt)))
			wantCloudToken(t, c, e.cloudToken(t, c, k, refresh(next)), "refresh_token", true) // no lockout
		}},
		{area: area, name: "unknown-token-refused", fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			need(t, c.Private != nil, "a Cloud consumer")
			r := e.cloudToken(t, c, c.Private, refresh("Zz"+randomHex(8)))
			switch {
			case !c.modern(): // docs/bitbucket-behaviour.md#cloud-2025-refresh: "Invalid refresh_token" is invalid_request, not invalid_grant.
				wantOAuth2Error(t, r, 0, "invalid_request")
			case c.Mock: // the mock's choice: the answer to a dead token (docs/bitbucket-behaviour.md#cloud-2026)
				wantOAuth2Error(t, r, http.StatusBadRequest, "unauthorized_client")
			default:
				wantOAuth2Error(t, r, 0, refused...)
			}
		}},
		{area: area, name: "revoked-grant-dead", fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			need(t, c.Private != nil, "a Cloud consumer")
			m := e.cloudUserTokens(t, c, c.Private)
			if err := e.revoker(t).Revoke(e.ctx, str(m, "refresh_token")); err != nil {
				t.Fatalf("revoke: %v", err)
			}
			wantOAuth2Error(t, e.cloudToken(t, c, c.Private, refresh(str(m, "refresh_token"))), 0, refused...)
		}},
		{area: area, name: "other-client-refused", fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			need(t, c.Private != nil && c.Rotating != nil, "two Cloud consumers")
			rt := str(e.cloudUserTokens(t, c, c.Private), "refresh_token")
			wantOAuth2Error(t, e.cloudToken(t, c, c.Rotating, refresh(rt)), 0, refused...)
		}},
		{area: area, name: "new-access-token-after-expiry", exclusive: true, fn: func(t *testing.T, e *env) {
			c := e.cloud(t)
			need(t, c.Private != nil, "a Cloud consumer")
			e.clock(t)
			m := e.cloudUserTokens(t, c, c.Private)
			e.advance(t, 2*time.Hour+time.Minute)
			wantStatus(t, e.cloudUser(t, c, "", "Authorization", bearer(str(m, "access_token"))), http.StatusUnauthorized)
			n := wantCloudToken(t, c, e.cloudToken(t, c, c.Private, refresh(str(m, "refresh_token"))), "refresh_token", true)
			wantStatus(t, e.cloudUser(t, c, "", "Authorization", bearer(str(n, "access_token"))), http.StatusOK)
		}},
	}
}
