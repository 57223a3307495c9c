package cloud

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/bbcred/git-credential-bitbucket/helper/gitconfig"
	"github.com/bbcred/git-credential-bitbucket/helper/grant"
)

func TestJWTGrant(t *testing.T) {
	t.Parallel()
	f := newFakeCloud(t)
	var mu sync.Mutex
	var claims connectClaims
	var parseErr error
	f.token = func(w http.ResponseWriter, form url.Values, n int) {
		_, auths := f.requests()
		raw, ok := strings.CutPrefix(auths[n], "JWT ")
		mu.Lock()
		defer mu.Unlock()
		if !ok {
			parseErr = errAuth(auths[n])
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		_, parseErr = jwt.ParseWithClaims(raw, &claims, func(*jwt.Token) (any, error) { return []byte("shared-secret-xyz"), nil },
			jwt.WithValidMethods([]string{"HS256"}), jwt.WithTimeFunc(func() time.Time { return testNow }))
		if form.Get("grant_type") != "urn:bitbucket:oauth2:jwt" {
			t.Errorf("grant_type %q", form.Get("grant_type"))
		}
		writeToken(w, "tok-jwt", "", "urn:bitbucket:oauth2:jwt")
	}
	env := f.env(grant.JWT, func(s *gitconfig.Settings) {
		s.ClientID, s.ClientSecret = "", ""
		s.JWTKey, s.JWTClientKey, s.JWTSharedSecret = "connect-app", "client-key-1", "shared-secret-xyz"
	})
	got, err := New().Obtain(context.Background(), env, nil, false)
	if err != nil || got.AccessToken != "tok-jwt" || got.RefreshToken != "" || got.GitUsername != gitUsername {
		t.Fatalf("Obtain = %+v, %v", got, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if parseErr != nil {
		t.Fatalf("the JWT does not verify: %v", parseErr)
	}
	// hex(sha256("POST&/site/oauth2/access_token&")), computed with sha256sum
	const wantQSH = "f045c19462bc33df6431a1f69800ff8fc9e839dfea9d080be9f2bcd59360c73b"
	if claims.Issuer != "connect-app" || claims.Subject != "client-key-1" || claims.QSH != wantQSH ||
		!claims.IssuedAt.Equal(testNow) || !claims.ExpiresAt.Equal(testNow.Add(3*time.Minute)) {
		t.Errorf("claims %+v", claims)
	}
}

func errAuth(got string) error { return fmt.Errorf("Authorization %q is not a JWT", got) }
