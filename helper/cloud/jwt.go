package cloud

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/oauth2"

	"github.com/bbcred/git-credential-bitbucket/helper/grant"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

// jwtGrantType is Bitbucket's Connect grant (docs/bitbucket-behaviour.md#cloud-jwt-grant).
const jwtGrantType = "urn:bitbucket:oauth2:jwt"

// jwtLifetime is how long the assertion is valid (docs/bitbucket-behaviour.md#cloud-jwt-grant: about 3 minutes).
const jwtLifetime = 3 * time.Minute

// maxTokenBody bounds a token response (Cloud tokens exceed 2.5 KB).
const maxTokenBody = 1 << 20

// connectClaims are the claims of a Connect app's JWT.
type connectClaims struct {
	jwt.RegisteredClaims
	QSH string `json:"qsh"`
}

// queryStringHash is Connect's qsh for a request without a query:
// hex SHA-256 of "METHOD&<path>&" (docs/bitbucket-behaviour.md#cloud-jwt-grant).
func queryStringHash(method, path string) string {
	sum := sha256.Sum256([]byte(strings.ToUpper(method) + "&" + path + "&"))
	return hex.EncodeToString(sum[:])
}

// connectJWT signs the assertion for the token request: HS256 with the
// shared secret, iss = app key, sub = client key, iat now, exp in 3 minutes.
func (c *call) connectJWT() (string, error) {
	u, err := url.Parse(c.ep.tokenURL)
	if err != nil {
		return "", fmt.Errorf("jwt: token URL: %w", err)
	}
	now := c.now()
	claims := connectClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    c.s.JWTKey,
			Subject:   c.s.JWTClientKey,
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(jwtLifetime)),
		},
		QSH: queryStringHash(http.MethodPost, u.EscapedPath()),
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(c.clientSecret))
	if err != nil {
		return "", fmt.Errorf("jwt: sign: %w", err)
	}
	return s, nil
}

// jwtGrant mints a token for the Connect app's installation. There is no
// refresh token for this grant (docs/bitbucket-behaviour.md#cloud-grants): it mints anew when needed.
func (c *call) jwtGrant(ctx context.Context) (*tokenstore.Record, error) {
	c.tracef("jwt grant for Connect app %s", c.s.JWTKey)
	tok, err := c.retrieve(ctx, grant.JWT, func(ctx context.Context) (*oauth2.Token, error) {
		assertion, err := c.connectJWT()
		if err != nil {
			return nil, err
		}
		form := url.Values{"grant_type": {jwtGrantType}}
		if c.s.Scopes != "" {
			form.Set("scope", strings.Join(strings.Fields(strings.ReplaceAll(c.s.Scopes, ",", " ")), " "))
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.ep.tokenURL, strings.NewReader(form.Encode()))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", "JWT "+assertion)
		return c.postToken(req, grant.JWT)
	})
	if err != nil {
		return nil, err
	}
	rec, err := c.record(tok)
	if err != nil {
		return nil, err
	}
	rec.RefreshToken = "" // the grant has none; mint anew instead
	return rec, nil
}

// tokenJSON is a token endpoint answer (RFC 6749 §5.1, §5.2).
type tokenJSON struct {
	AccessToken      string `json:"access_token"`
	TokenType        string `json:"token_type"`
	RefreshToken     string `json:"refresh_token"`
	ExpiresIn        int64  `json:"expires_in"`
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

// postToken sends a token request and parses the answer into an
// oauth2.Token (with the raw fields as extras), or a *TokenError.
func (c *call) postToken(req *http.Request, op string) (*oauth2.Token, error) {
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxTokenBody))
	if err != nil {
		return nil, &TokenError{Op: op, Status: resp.StatusCode, Err: fmt.Errorf("read the answer: %w", err)}
	}
	te := &TokenError{Op: op, Status: resp.StatusCode, RetryAfter: c.retryPolicy().RetryAfter(resp.Header)}
	var tj tokenJSON
	raw := map[string]any{}
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if mt != "application/json" && !strings.HasSuffix(mt, "+json") || json.Unmarshal(body, &tj) != nil || json.Unmarshal(body, &raw) != nil {
		if resp.StatusCode/100 != 2 {
			return nil, te
		}
		te.Err = errors.New("the token endpoint sent an unreadable answer")
		return nil, te
	}
	if resp.StatusCode/100 != 2 || tj.Error != "" {
		te.Code, te.Description = tj.Error, tj.ErrorDescription
		return nil, te
	}
	if tj.AccessToken == "" {
		te.Err = errors.New("the token endpoint sent no access token")
		return nil, te
	}
	tok := &oauth2.Token{AccessToken: tj.AccessToken, TokenType: tj.TokenType, RefreshToken: tj.RefreshToken, ExpiresIn: tj.ExpiresIn}
	return tok.WithExtra(raw), nil
}
