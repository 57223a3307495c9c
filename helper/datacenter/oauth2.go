package datacenter

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/bbcred/git-credential-bitbucket/helper/auth"
	"github.com/bbcred/git-credential-bitbucket/helper/internal/consent"
	"github.com/bbcred/git-credential-bitbucket/helper/internal/netmsg"
	"github.com/bbcred/git-credential-bitbucket/helper/internal/retry"
	"github.com/bbcred/git-credential-bitbucket/helper/internal/tokencheck"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

// obtainOAuth2 serves DC's OAuth 2 provider (docs/bitbucket-behaviour.md#dc-oauth2): reuse the access
// token while it outlives the margin, else refresh (storing the rotated
// refresh token), else authorize with PKCE in the browser.
func (p *Provider) obtainOAuth2(ctx context.Context, c *call, prev *tokenstore.Record, login bool) (*tokenstore.Record, error) {
	if !login && c.fresh(prev) {
		c.tracef("reusing DC OAuth 2 access token until %s", prev.Expiry.UTC().Format("2006-01-02T15:04:05Z"))
		return prev, nil
	}
	cfg, err := c.oauth2Config()
	if err != nil {
		return nil, err
	}
	octx := context.WithValue(ctx, oauth2.HTTPClient, c.http)
	rec := &tokenstore.Record{}
	if prev != nil {
		*rec = *prev
	}
	rec.Kind = c.kind()
	rec.Grant = c.grant

	if !login && rec.RefreshToken != "" {
		tok, err := c.retrieve(ctx, "refresh the OAuth 2 token", func() (*oauth2.Token, error) {
			return cfg.TokenSource(octx, &oauth2.Token{RefreshToken: rec.RefreshToken}).Token()
		})
		if err == nil {
			c.tracef("refreshed the DC OAuth 2 access token")
			return c.fillOAuth2(ctx, rec, tok)
		}
		var re *oauth2.RetrieveError
		if !errors.As(err, &re) || !deadGrant(re) {
			return nil, c.oauth2Error("refresh the OAuth 2 token", err)
		}
		c.tracef("refresh token refused (%s): authorizing again", re.ErrorCode)
		rec.RefreshToken, rec.AccessToken = "", ""
		if !c.env.Interactive {
			// rec, without the dead refresh token, is what the store keeps.
			return rec, fmt.Errorf("the OAuth 2 refresh token for %s is no longer valid (%s): %w",
				redactURL(c.base), sanitize(re.ErrorCode), auth.ErrInteractionRequired)
		}
	}
	if !c.env.Interactive {
		return nil, fmt.Errorf("grant oauth2 needs your consent in a browser for %s: %w", redactURL(c.base), auth.ErrInteractionRequired)
	}
	tok, err := p.authorizeOAuth2(ctx, c, cfg)
	if err != nil {
		if prev != nil && prev.RefreshToken != "" && rec.RefreshToken == "" {
			return rec, err // keep the dead refresh token out of the store
		}
		return nil, err
	}
	return c.fillOAuth2(ctx, rec, tok)
}

// deadGrant: the refresh token itself is refused (RFC 6749 §5.2).
//
// Only the RFC 6749 §5.2 codes say so. A 400 or 401 without an error code
// is more likely a proxy, an SSO gateway or a WAF in front of DC than DC
// itself, and dropping the refresh token on its word would lose a login
// the server never revoked.
func deadGrant(re *oauth2.RetrieveError) bool {
	return re.ErrorCode == "invalid_grant" || re.ErrorCode == "invalid_token"
}

// oauth2Error drops the response body x/oauth2 puts into its error text.
// A 404 (wrong base URL) and a refused client (invalid_client: wrong
// client id or secret) become *auth.ConfigError naming what to fix.
func (c *call) oauth2Error(op string, err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		return fmt.Errorf("%s: %w", op, netmsg.Explain(redactURLError(err)))
	}
	status := 0
	if re.Response != nil {
		status = re.Response.StatusCode
	}
	switch {
	case status == http.StatusNotFound:
		return &auth.ConfigError{Msg: notFoundMessage(op, redactURL(c.base))}
	case re.ErrorCode == "invalid_client" || re.ErrorCode == "unauthorized_client":
		return &auth.ConfigError{Msg: fmt.Sprintf("%s: %s refused the OAuth 2 client (HTTP %d %s): check bitbucket.clientId %q and bitbucket.clientSecret / bitbucket.clientSecretFile",
			op, redactURL(c.base), status, sanitize(re.ErrorCode), sanitize(c.s.ClientID))}
	}
	s := fmt.Sprintf("%s: HTTP %d", op, status)
	if re.ErrorCode != "" {
		s += " " + sanitize(re.ErrorCode)
	}
	if re.ErrorDescription != "" {
		s += ": " + sanitize(re.ErrorDescription)
	}
	return errors.New(s)
}

func (c *call) oauth2Config() (*oauth2.Config, error) {
	if c.s.ClientID == "" {
		return nil, &auth.ConfigError{Msg: fmt.Sprintf("bitbucket.clientId is not set for %s (grant oauth2)", redactURL(c.base))}
	}
	secret := c.s.ClientSecret
	if secret == "" && c.s.ClientSecretFile != "" {
		b, err := c.p.readSecretFile(c.s.ClientSecretFile)
		if err != nil {
			return nil, &auth.ConfigError{Msg: "client secret: " + err.Error()}
		}
		secret = strings.TrimSpace(string(b))
	}
	scopes := strings.FieldsFunc(c.s.Scopes, func(r rune) bool { return r == ',' || r == ' ' })
	if len(scopes) == 0 {
		scopes = strings.Fields(defaultOAuth2Scopes)
	}
	return &oauth2.Config{
		ClientID:     c.s.ClientID,
		ClientSecret: secret,
		Scopes:       scopes,
		Endpoint: oauth2.Endpoint{
			AuthURL:  endpoint(c.base, "rest", "oauth2", "latest", "authorize").String(),
			TokenURL: endpoint(c.base, "rest", "oauth2", "latest", "token").String(),
			// DC takes client_id/client_secret as parameters (docs/bitbucket-behaviour.md#dc-oauth2).
			AuthStyle: oauth2.AuthStyleInParams,
		},
	}, nil
}

// authorizeOAuth2 is the authorization code grant through the one flow
// both products share (consent.CodeFlow: PKCE S256, a random state, a
// loopback redirect or a paste, whichever comes first), then the exchange.
func (p *Provider) authorizeOAuth2(ctx context.Context, c *call, cfg *oauth2.Config) (*oauth2.Token, error) {
	if c.env.OpenBrowser == nil && c.env.TTY == nil {
		return nil, fmt.Errorf("grant oauth2 needs a browser or a terminal for the consent: %w", auth.ErrInteractionRequired)
	}
	flow := consent.CodeFlow{
		Listen: p.Listen, RedirectURL: c.s.RedirectURL, Path: "/callback",
		Origin: redactURL(c.base), Limit: p.consentLimit(),
		Person: c.person(), OpenBrowser: c.env.OpenBrowser, Trace: c.tracef,
	}
	code, verifier, err := flow.Code(ctx, cfg)
	if err != nil {
		return nil, c.consentErr(ctx, "grant oauth2", 0, err)
	}
	octx := context.WithValue(ctx, oauth2.HTTPClient, c.http)
	tok, err := c.retrieve(ctx, "exchange the authorization code", func() (*oauth2.Token, error) {
		return cfg.Exchange(octx, code, verifier)
	})
	if err != nil {
		return nil, c.oauth2Error("exchange the authorization code", err)
	}
	return tok, nil
}

// fillOAuth2 records tok (rotated refresh token included) and the user
// slug (X-AUSERNAME of an authenticated REST call).
func (c *call) fillOAuth2(ctx context.Context, rec *tokenstore.Record, tok *oauth2.Token) (*tokenstore.Record, error) {
	if err := checkOAuth2Answer(tok); err != nil {
		return nil, fmt.Errorf("refusing the answer of %s: %w", endpoint(c.base, "rest", "oauth2", "latest", "token"), err)
	}
	rec.AccessToken = tok.AccessToken
	rec.TokenType = "bearer"
	if tok.RefreshToken != "" {
		rec.RefreshToken = tok.RefreshToken
	}
	// A missing, negative or implausible expires_in is believed for an
	// hour, DC's default life
	// (docs/bitbucket-behaviour.md#dc-oauth2).
	life, why := tokencheck.Life(tok.ExpiresIn)
	if why != "" {
		c.tracef("OAuth 2 token answer: %s", why)
	}
	rec.Expiry = c.now().Add(life)
	if s, ok := tok.Extra("scope").(string); ok && s != "" {
		rec.Scopes = s
	}
	rec.MintedTokenID, rec.MintedTokenUser = "", ""
	rec.OAuth1Token, rec.OAuth1TokenSecret, rec.OAuth1Expiry = "", "", time.Time{}
	slug, err := c.whoamiBearer(ctx, tok.AccessToken)
	if err != nil {
		return nil, err
	}
	rec.GitUsername, rec.Account = slug, slug
	rec.Updated = c.now()
	return rec, nil
}

// checkOAuth2Answer: tokens of visible ASCII within the bound, and a
// bearer token_type (RFC 6749 §5.1; issue 10 point 7).
func checkOAuth2Answer(tok *oauth2.Token) error {
	if err := tokencheck.Token("access token", tok.AccessToken); err != nil {
		return err
	}
	if err := tokencheck.Optional("refresh token", tok.RefreshToken); err != nil {
		return err
	}
	return tokencheck.Bearer(tok.TokenType)
}

// whoamiBearer reads X-AUSERNAME from GET application-properties with a
// Bearer token (docs/bitbucket-behaviour.md#dc-oauth2).
func (c *call) whoamiBearer(ctx context.Context, token string) (string, error) {
	const op = "find the user of the OAuth 2 token"
	u := endpoint(c.base, "rest", "api", "latest", "application-properties")
	resp, err := c.sendJSON(ctx, op, legOAuth2, func() (*http.Request, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		return req, nil
	}, nil)
	if err != nil {
		return "", err
	}
	c.baseOK = true
	slug := resp.Header.Get("X-AUSERNAME")
	if slug == "" {
		return "", fmt.Errorf("%s: the server named no user (no X-AUSERNAME header)", op)
	}
	return slug, nil
}

// retrieve runs a token request, retrying 429/503 answers (see again).
func (c *call) retrieve(ctx context.Context, op string, fn func() (*oauth2.Token, error)) (*oauth2.Token, error) {
	var rs retry.Attempts
	for {
		tok, err := fn()
		var re *oauth2.RetrieveError
		if err == nil || !errors.As(err, &re) || re.Response == nil ||
			!c.again(ctx, &rs, op, re.Response.StatusCode, re.Response.Header) {
			return tok, err
		}
	}
}
