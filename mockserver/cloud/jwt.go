package cloud

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/golang-jwt/jwt/v5"

	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/core"
)

// connectClaims are the claims of a Connect app's JWT (docs/bitbucket-behaviour.md#cloud-jwt-grant).
type connectClaims struct {
	jwt.RegisteredClaims
	QSH string `json:"qsh,omitempty"`
}

// jwtGrant serves grant_type=urn:bitbucket:oauth2:jwt (docs/bitbucket-behaviour.md#cloud-jwt-grant): the JWT in
// `Authorization: JWT <token>` is HS256-signed with the app's shared secret,
// iss = app key, sub = client key, iat/exp checked against the mock clock,
// qsh checked when present. An optional `scope` narrows the token; an
// optional `bitbucket_repository` (repository UUID) restricts it to one
// repository. No refresh token.
func (s *State) jwtGrant(w http.ResponseWriter, r *http.Request, raw string) {
	const grantType = "urn:bitbucket:oauth2:jwt"
	form := r.PostForm
	if gt := form.Get("grant_type"); gt != grantType {
		shown := gt
		if shown == "" {
			shown = "None"
		}
		tokenError(w, http.StatusBadRequest, "invalid_grant", "Unsupported grant type: "+shown)
		return
	}
	app, err := s.verifyConnectJWT(r, strings.TrimSpace(raw))
	if err != nil {
		// UNCONFIRMED: Cloud's status and body for a bad Connect JWT.
		tokenError(w, http.StatusUnauthorized, "unauthorized_client", "Invalid JWT: "+err.Error())
		return
	}
	core.Annotate(r, "", app.Key, app.InstalledFor)

	scopes := append([]string(nil), app.Scopes...)
	if sc := strings.Fields(strings.ReplaceAll(form.Get("scope"), ",", " ")); len(sc) > 0 {
		for _, want := range sc {
			if !hasScope(app.Scopes, want) {
				// UNCONFIRMED: RFC 6749 §5.2 invalid_scope.
				tokenError(w, http.StatusBadRequest, "invalid_scope", "Scope "+want+" is not granted to the app")
				return
			}
		}
		scopes = sc
	}
	repo := ""
	if id := form.Get("bitbucket_repository"); id != "" {
		rp := s.repoByUUID(id)
		if rp == nil || rp.Workspace != app.InstalledFor {
			tokenError(w, http.StatusBadRequest, "invalid_request", "Invalid bitbucket_repository") // UNCONFIRMED
			return
		}
		repo = rp.Workspace + "/" + rp.Slug
	}
	resp := s.issueNewGrant(accessToken{
		client: app.Key, user: app.InstalledFor, scopes: scopes, kind: grantType, repo: repo, connect: true,
	}, false, false)
	s.sendTokens(w, r, resp, app.InstalledFor)
}

// verifyConnectJWT checks signature, issuer, subject, times and qsh.
func (s *State) verifyConnectJWT(r *http.Request, raw string) (*ConnectApp, error) {
	var app *ConnectApp
	claims := &connectClaims{}
	_, err := jwt.ParseWithClaims(raw, claims, func(t *jwt.Token) (any, error) {
		iss, _ := t.Claims.GetIssuer()
		app = s.apps[iss]
		if app == nil {
			return nil, fmt.Errorf("unknown issuer %q", iss)
		}
		return []byte(app.SharedSecret), nil
	},
		jwt.WithValidMethods([]string{"HS256"}),
		jwt.WithTimeFunc(s.m.Now),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
	)
	if err != nil {
		return nil, err
	}
	if claims.IssuedAt == nil {
		return nil, errors.New("iat claim is required")
	}
	if claims.Subject != app.ClientKey {
		return nil, errors.New("sub is not the client key of the installation")
	}
	if claims.QSH != "" && claims.QSH != queryStringHash(r.Method, r.URL.Path, r.URL.Query()) {
		return nil, errors.New("qsh does not match the request")
	}
	return app, nil
}

// queryStringHash is Atlassian Connect's qsh: hex SHA-256 of
// "METHOD&<path>&<sorted, encoded query>" (docs/bitbucket-behaviour.md#cloud-jwt-grant).
func queryStringHash(method, path string, q url.Values) string {
	keys := make([]string, 0, len(q))
	for k := range q {
		if k != "jwt" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		vals := append([]string(nil), q[k]...)
		sort.Strings(vals)
		for i, v := range vals {
			vals[i] = connectEscape(v)
		}
		parts = append(parts, connectEscape(k)+"="+strings.Join(vals, ","))
	}
	if path == "" {
		path = "/"
	}
	sum := sha256.Sum256([]byte(strings.ToUpper(method) + "&" + path + "&" + strings.Join(parts, "&")))
	return hex.EncodeToString(sum[:])
}

func connectEscape(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}
