package cloud_test

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/go-cmp/cmp"

	"github.com/bbcred/git-credential-bitbucket/mockserver"
	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/mockhttp"
)

// connectJWT signs claims with method and secret.
func connectJWT(t *testing.T, method jwt.SigningMethod, secret string, claims jwt.MapClaims) string {
	t.Helper()
	var key any = []byte(secret)
	if method == jwt.SigningMethodNone {
		key = jwt.UnsafeAllowNoneSignatureType
	}
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func jwtRequest(t *testing.T, run *mockserver.Running, token string, form url.Values) mockhttp.Response {
	t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if !form.Has("grant_type") {
		form.Set("grant_type", "urn:bitbucket:oauth2:jwt")
	}
	req := mockhttp.NewRequest(t, http.MethodPost, run.CloudURL+"/site/oauth2/access_token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "JWT "+token)
	return mockhttp.Do(t, req)
}

// TestCloudJWTGrant covers urn:bitbucket:oauth2:jwt (docs/bitbucket-behaviour.md#cloud-jwt-grant).
func TestCloudJWTGrant(t *testing.T) {
	t.Parallel()
	run := mockhttp.CloudMock2025(t, mockserver.Options{}, nil)
	now := time.Now()
	qshSum := sha256.Sum256([]byte("POST&/site/oauth2/access_token&"))
	qsh := hex.EncodeToString(qshSum[:])
	claims := func(edit func(jwt.MapClaims)) jwt.MapClaims {
		c := jwt.MapClaims{"iss": mockhttp.AppKey, "sub": mockhttp.AppClient, "iat": now.Unix(), "exp": now.Add(3 * time.Minute).Unix()}
		if edit != nil {
			edit(c)
		}
		return c
	}
	hs256 := jwt.SigningMethodHS256
	tests := []struct {
		name       string
		token      string
		form       url.Values
		wantStatus int
		wantScopes string
	}{
		{"no qsh", connectJWT(t, hs256, mockhttp.AppSecret, claims(nil)), nil, 200, "repository repository:write"},
		{"right qsh", connectJWT(t, hs256, mockhttp.AppSecret, claims(func(c jwt.MapClaims) { c["qsh"] = qsh })), nil, 200, "repository repository:write"},
		{"narrowed scope", connectJWT(t, hs256, mockhttp.AppSecret, claims(nil)), url.Values{"scope": {"repository"}}, 200, "repository"},
		{"scope beyond the app", connectJWT(t, hs256, mockhttp.AppSecret, claims(nil)), url.Values{"scope": {"account"}}, 400, ""},
		{"wrong qsh", connectJWT(t, hs256, mockhttp.AppSecret, claims(func(c jwt.MapClaims) { c["qsh"] = strings.Repeat("0", 64) })), nil, 401, ""},
		{"wrong secret", connectJWT(t, hs256, "other-secret", claims(nil)), nil, 401, ""},
		{"unknown issuer", connectJWT(t, hs256, mockhttp.AppSecret, claims(func(c jwt.MapClaims) { c["iss"] = "other-app" })), nil, 401, ""},
		{"wrong subject", connectJWT(t, hs256, mockhttp.AppSecret, claims(func(c jwt.MapClaims) { c["sub"] = "other-client" })), nil, 401, ""},
		{"expired", connectJWT(t, hs256, mockhttp.AppSecret, claims(func(c jwt.MapClaims) { c["exp"] = now.Add(-time.Minute).Unix() })), nil, 401, ""},
		{"no exp", connectJWT(t, hs256, mockhttp.AppSecret, claims(func(c jwt.MapClaims) { delete(c, "exp") })), nil, 401, ""},
		{"no iat", connectJWT(t, hs256, mockhttp.AppSecret, claims(func(c jwt.MapClaims) { delete(c, "iat") })), nil, 401, ""},
		{"iat in the future", connectJWT(t, hs256, mockhttp.AppSecret, claims(func(c jwt.MapClaims) { c["iat"] = now.Add(time.Hour).Unix() })), nil, 401, ""},
		{"HS512", connectJWT(t, jwt.SigningMethodHS512, mockhttp.AppSecret, claims(nil)), nil, 401, ""},
		{"alg none", connectJWT(t, jwt.SigningMethodNone, "", claims(nil)), nil, 401, ""},
		{"wrong grant type", connectJWT(t, hs256, mockhttp.AppSecret, claims(nil)), url.Values{"grant_type": {"client_credentials"}}, 400, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := jwtRequest(t, run, tt.token, tt.form)
			if r.Status != tt.wantStatus {
				t.Fatalf("status = %d, want %d: %s", r.Status, tt.wantStatus, r.Body)
			}
			m := r.JSON(t)
			if tt.wantStatus != 200 {
				if mockhttp.Str(m, "error") == "" {
					t.Errorf("error body without error: %s", r.Body)
				}
				return
			}
			got := map[string]any{"scopes": m["scopes"], "state": m["state"], "token_type": m["token_type"], "expires_in": m["expires_in"], "has refresh": m["refresh_token"] != nil}
			want := map[string]any{"scopes": tt.wantScopes, "state": "urn:bitbucket:oauth2:jwt", "token_type": "bearer", "expires_in": float64(7200), "has refresh": false}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}

	t.Run("token acts for the installation", func(t *testing.T) {
		t.Parallel()
		r := jwtRequest(t, run, connectJWT(t, hs256, mockhttp.AppSecret, claims(nil)), nil)
		at := mockhttp.Str(r.JSON(t), "access_token")
		if g := mockhttp.Get(t, run.CloudURL+"/2.0/repositories/acme/widgets", at); g.Status != 200 {
			t.Errorf("acme/widgets: %d", g.Status)
		}
		if g := mockhttp.Get(t, run.CloudURL+"/2.0/user", at); g.Status != 403 {
			t.Errorf("/2.0/user without account scope: %d, want 403", g.Status)
		}
	})
	t.Run("bitbucket_repository restricts the token", func(t *testing.T) {
		t.Parallel()
		pub := mockhttp.Get(t, run.CloudURL+"/2.0/repositories/acme/public-repo", "").JSON(t)
		r := jwtRequest(t, run, connectJWT(t, hs256, mockhttp.AppSecret, claims(nil)), url.Values{"bitbucket_repository": {mockhttp.Str(pub, "uuid")}})
		if r.Status != 200 {
			t.Fatalf("status %d: %s", r.Status, r.Body)
		}
		at := mockhttp.Str(r.JSON(t), "access_token")
		if g := mockhttp.Get(t, run.CloudURL+"/2.0/repositories/acme/widgets", at); g.Status != 404 {
			t.Errorf("other repository: %d, want 404", g.Status)
		}
		if g := mockhttp.Get(t, run.CloudURL+"/2.0/repositories/acme/public-repo", at); g.Status != 200 {
			t.Errorf("its repository: %d", g.Status)
		}
	})
	t.Run("exp follows the mock clock", func(t *testing.T) {
		t.Parallel()
		run := mockhttp.CloudMock2025(t, mockserver.Options{}, nil)
		tok := connectJWT(t, hs256, mockhttp.AppSecret, claims(nil))
		run.Mock.Advance(5 * time.Minute)
		if r := jwtRequest(t, run, tok, nil); r.Status != 401 {
			t.Errorf("status = %d, want 401", r.Status)
		}
	})
}

// jwtClaimsAt are valid Connect claims issued at now.
func jwtClaimsAt(now time.Time) jwt.MapClaims {
	return jwt.MapClaims{"iss": mockhttp.AppKey, "sub": mockhttp.AppClient, "iat": now.Unix(), "exp": now.Add(3 * time.Minute).Unix()}
}
