package cloud

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/grant"
	"github.com/bbcred/git-credential-bitbucket/helper/internal/netmsg"
	"github.com/bbcred/git-credential-bitbucket/helper/internal/redirect"
	"github.com/bbcred/git-credential-bitbucket/helper/internal/retry"
	"github.com/bbcred/git-credential-bitbucket/helper/internal/tokencheck"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/bbcred/git-credential-bitbucket/helper/auth"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

// TokenError is a failed token request, without the response body (where
// a server might echo secrets): the RFC 6749 §5.2 error code and
// description, the HTTP status, and Retry-After when the server sent one.
type TokenError struct {
	Op          string // refresh, code exchange, client credentials, jwt
	Status      int    // 0 when no response arrived
	Code        string // RFC 6749 "error"
	Description string
	RetryAfter  time.Duration
	Err         error // the transport or parse error, when there was one
	// Fix names the settings to correct when the server refused the
	// client itself (see clientAuthFix); such an error is also an
	// *auth.ConfigError.
	Fix string
}

func (e *TokenError) Error() string {
	if e.Fix != "" {
		return e.message() + ": " + e.Fix
	}
	return e.message()
}

// As makes a refused client an *auth.ConfigError: only a change of
// configuration helps, so the CLI tells git to quit.
func (e *TokenError) As(target any) bool {
	t, ok := target.(**auth.ConfigError)
	if !ok || e.Fix == "" {
		return false
	}
	*t = &auth.ConfigError{Msg: e.Error()}
	return true
}

func (e *TokenError) message() string {
	switch {
	case e.Code != "":
		d := e.Description
		if len(d) > 200 {
			d = d[:200] + "..."
		}
		if d == "" {
			return fmt.Sprintf("%s: token endpoint said %s (HTTP %d)", e.Op, e.Code, e.Status)
		}
		return fmt.Sprintf("%s: token endpoint said %s: %s (HTTP %d)", e.Op, e.Code, d, e.Status)
	case e.Status != 0 && (e.Status < 200 || e.Status > 299):
		return fmt.Sprintf("%s: token endpoint answered HTTP %d %s", e.Op, e.Status, http.StatusText(e.Status))
	case e.Err != nil:
		return fmt.Sprintf("%s: %v", e.Op, e.Err)
	}
	return e.Op + ": token request failed"
}

func (e *TokenError) Unwrap() error { return e.Err }

// tokenError turns what x/oauth2 returned into a *TokenError. ctx is the
// request's context, to tell a timeout from other transport errors; p's
// clock reads a Retry-After date.
func tokenError(ctx context.Context, p retry.Policy, op string, timeout time.Duration, err error) *TokenError {
	var te *TokenError
	if errors.As(err, &te) {
		return te
	}
	var rd *redirect.Error
	if errors.As(err, &rd) {
		return &TokenError{Op: op, Err: rd} // no Status: the message is the redirect's
	}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		out := &TokenError{Op: op, Code: re.ErrorCode, Description: re.ErrorDescription}
		if re.Response != nil {
			out.Status = re.Response.StatusCode
			out.RetryAfter = p.RetryAfter(re.Response.Header)
		}
		return out
	}
	if ctx.Err() != nil {
		msg := fmt.Sprintf("no answer from the token endpoint within %s", timeout)
		var ne *netmsg.Error
		if errors.As(netmsg.Explain(err), &ne) {
			msg += " (" + ne.Host + "): " + ne.Next
		}
		return &TokenError{Op: op, Err: errors.New(msg)}
	}
	if strings.HasPrefix(err.Error(), "oauth2: cannot parse") || strings.Contains(err.Error(), "missing access_token") {
		return &TokenError{Op: op, Status: http.StatusOK, Err: errors.New("the token endpoint sent an unreadable answer")}
	}
	return &TokenError{Op: op, Err: netmsg.Explain(err)}
}

// clientAuthFix says which settings to fix when the token endpoint refused
// the client's authentication (a wrong client id or secret, a JWT signed
// with the wrong shared secret); "" for any other failure.
func (c *call) clientAuthFix(te *TokenError) string {
	if te.Status != http.StatusUnauthorized && te.Status != http.StatusBadRequest {
		return ""
	}
	if te.Code != "unauthorized_client" && te.Code != "invalid_client" && !strings.Contains(te.Description, "Invalid JWT") {
		return ""
	}
	switch {
	case strings.Contains(te.Description, "private consumer"):
		return "the client-credentials grant needs a private OAuth consumer: make bitbucket.clientId's consumer private in Bitbucket"
	case c.grant == grant.JWT:
		return "check the Connect shared secret (bitbucket.jwtSharedSecret or bitbucket.clientSecretFile), bitbucket.jwtClientKey and bitbucket.jwtKey"
	}
	return "check bitbucket.clientSecret / bitbucket.clientSecretFile and bitbucket.clientId"
}

// opRefresh names the refresh_token grant in TokenError.Op.
const opRefresh = "refresh"

// retryPolicy is the one retry policy (retry.Policy) with the call's
// clock, trace and person.
func (c *call) retryPolicy() retry.Policy {
	return retry.Policy{Now: c.now, Trace: c.tracef, Say: c.env.Say}
}

// retrieve runs one token request under the network timeout, retrying
// 429/503 answers as long as the wait fits in what is left of it.
func (c *call) retrieve(ctx context.Context, op string, fn func(context.Context) (*oauth2.Token, error)) (*oauth2.Token, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	ctx = context.WithValue(ctx, oauth2.HTTPClient, c.http)
	policy := c.retryPolicy()
	var attempts retry.Attempts
	for {
		tok, err := fn(ctx)
		if err == nil {
			return tok, nil
		}
		te := tokenError(ctx, policy, op, c.timeout, err)
		if op != opRefresh || te.Code == "invalid_client" {
			// A refused refresh is about the refresh token, not the
			// client secret (docs/bitbucket-behaviour.md#cloud-2026): see isRefusedRefresh.
			te.Fix = c.clientAuthFix(te)
		}
		if !policy.Again(ctx, &attempts, op, te.Status, te.RetryAfter) {
			return nil, te
		}
	}
}

// refresh exchanges prev's refresh token (RFC 6749 §6).
func (c *call) refresh(ctx context.Context, prev *tokenstore.Record) (*tokenstore.Record, error) {
	c.tracef("refreshing the token for %s (expires %s)", prev.Key, prev.Expiry.UTC().Format(time.RFC3339))
	cfg := c.oauthConfig("")
	tok, err := c.retrieve(ctx, opRefresh, func(ctx context.Context) (*oauth2.Token, error) {
		// An expired token with only the refresh token makes the
		// TokenSource refresh straight away.
		return cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: prev.RefreshToken, Expiry: time.Unix(1, 0)}).Token()
	})
	if err != nil {
		return nil, err
	}
	rec, err := c.record(tok)
	if err != nil {
		return nil, err
	}
	if rec.RefreshToken == "" {
		rec.RefreshToken = prev.RefreshToken
	}
	if rec.RefreshToken != prev.RefreshToken {
		c.tracef("refresh: the server rotated the refresh token")
	}
	rec.RefreshUsed = c.now()
	rec.Account = prev.Account
	return rec, nil
}

// clientCredentials mints a token for the consumer (RFC 6749 §4.4): an
// app user since 2026-05-04, earlier the consumer's owner (docs/bitbucket-behaviour.md#cloud-2026).
func (c *call) clientCredentials(ctx context.Context) (*tokenstore.Record, error) {
	c.tracef("client credentials for consumer %s", c.s.ClientID)
	cfg := &clientcredentials.Config{
		ClientID:     c.s.ClientID,
		ClientSecret: c.clientSecret,
		TokenURL:     c.ep.tokenURL,
		Scopes:       c.oauthConfig("").Scopes,
		AuthStyle:    oauth2.AuthStyleInHeader,
	}
	tok, err := c.retrieve(ctx, "client credentials", cfg.Token)
	if err != nil {
		return nil, err
	}
	rec, err := c.record(tok)
	if err != nil {
		return nil, err
	}
	// The grant runs again on expiry: a refresh token (which Cloud no
	// longer issues here, docs/bitbucket-behaviour.md#cloud-2026) is neither needed nor kept.
	rec.RefreshToken, rec.RefreshUsed = "", time.Time{}
	return rec, nil
}

// record turns a token response into a store record. The answer is
// untrusted input bound for the store and git's wire: tokens must be
// visible ASCII within tokencheck.MaxLen, the type bearer (RFC 6750), and
// an implausible expires_in is believed for an hour only (issue 10).
func (c *call) record(tok *oauth2.Token) (*tokenstore.Record, error) {
	if tok == nil {
		return nil, c.refused(errors.New("no access token"))
	}
	if err := tokencheck.Token("access token", tok.AccessToken); err != nil {
		return nil, c.refused(err)
	}
	if err := tokencheck.Optional("refresh token", tok.RefreshToken); err != nil {
		return nil, c.refused(err)
	}
	if err := tokencheck.Bearer(tok.TokenType); err != nil {
		return nil, c.refused(err)
	}
	rec := &tokenstore.Record{
		Kind:         grant.KindCloud,
		Grant:        c.grant,
		GitUsername:  gitUsername,
		AccessToken:  tok.AccessToken,
		TokenType:    strings.ToLower(tok.TokenType),
		RefreshToken: tok.RefreshToken,
		Scopes:       scopesOf(tok),
		// Lets a later refused refresh tell a changed secret from a
		// dead refresh token.
		ClientFingerprint: c.fingerprint(),
	}
	if rec.RefreshToken != "" {
		rec.RefreshUsed = c.now() // issued: the 90-day clock starts (docs/bitbucket-behaviour.md#cloud-2026)
	}
	// Expiry from expires_in against our clock (x/oauth2 uses the wall
	// clock), so that an injected clock governs freshness end to end.
	life, why := tokencheck.Life(expiresIn(tok))
	if why != "" {
		c.tracef("%s: %s", c.ep.tokenURL, why)
	}
	rec.Expiry = c.now().Add(life)
	return rec, nil
}

// expiresIn is the answer's expires_in as sent: x/oauth2's clientcredentials
// package drops Token.ExpiresIn, and its parser caps it at 2^31-1, so the
// raw field is read first.
func expiresIn(tok *oauth2.Token) int64 {
	switch v := tok.Extra("expires_in").(type) {
	case float64:
		if v > math.MaxInt64/2 {
			return math.MaxInt64
		}
		return int64(v)
	case string:
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return n
		}
	}
	return tok.ExpiresIn
}

// refused is a token answer the helper will not store, naming the server.
func (c *call) refused(err error) error {
	return fmt.Errorf("refusing the answer of %s: %w", c.ep.tokenURL, err)
}

// scopesOf reads Bitbucket's "scopes" (plural, before 2026-05-04,
// docs/bitbucket-behaviour.md#cloud-2025-token-response), else RFC 6749's "scope" (Cloud since then, docs/bitbucket-behaviour.md#cloud-2026).
func scopesOf(tok *oauth2.Token) string {
	for _, k := range []string{"scopes", "scope"} {
		if s, ok := tok.Extra(k).(string); ok && s != "" {
			return s
		}
	}
	return ""
}
