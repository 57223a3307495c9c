package cloud

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"

	"golang.org/x/oauth2"

	"github.com/bbcred/git-credential-bitbucket/helper/auth"
	"github.com/bbcred/git-credential-bitbucket/helper/internal/consent"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

// authorize runs the authorization code grant (RFC 6749 §4.1) with PKCE
// S256 (RFC 7636) and a random state: a loopback listener (RFC 8252 §7.3)
// receives the redirect from the browser, and the redirected URL (or the
// bare code) pasted on the terminal is read at the same time, whichever
// comes first (consent.Person.Await). Gives up after the auth timeout.
func (c *call) authorize(ctx context.Context) (*tokenstore.Record, error) {
	cb, err := consent.Listen(c.p.Listen, c.s.RedirectURL, "/")
	if err != nil {
		return nil, err
	}
	defer cb.Close()
	cfg := c.oauthConfig(cb.URL)
	verifier := oauth2.GenerateVerifier()
	state, err := randomState()
	if err != nil {
		return nil, err
	}
	cb.Serve(consent.StateIs(state))
	authURL := cfg.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier))

	limit := c.p.AuthTimeout
	if limit <= 0 {
		limit = defaultAuthTimeout
	}
	actx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()

	origin := c.env.Remote.Scheme + "://" + c.env.Remote.Host
	c.tracef("authorization-code: redirect %s, waiting up to %s", cb.URL, limit)
	code, err := c.person().Await(actx, cb, consent.OAuth2(origin, authURL, c.env.OpenBrowser, limit, state))
	switch {
	case err == nil:
	case errors.Is(err, consent.ErrNoWay):
		return nil, fmt.Errorf("%w: %v", auth.ErrInteractionRequired, err)
	case ctx.Err() != nil:
		return nil, fmt.Errorf("authorization-code: %w", ctx.Err())
	case actx.Err() != nil:
		return nil, fmt.Errorf("authorization-code: %w", &consent.TimeoutError{Limit: limit})
	default:
		return nil, fmt.Errorf("authorization-code: %w", err)
	}
	c.tracef("authorization-code: got a code, exchanging it")
	tok, err := c.retrieve(ctx, "code exchange", func(ctx context.Context) (*oauth2.Token, error) {
		return cfg.Exchange(ctx, code, oauth2.VerifierOption(verifier))
	})
	if err != nil {
		return nil, err
	}
	return c.record(tok)
}

// person is who the consent talks to.
func (c *call) person() consent.Person {
	return consent.Person{TTY: c.env.TTY, Say: c.env.Say}
}

// randomState is 32 random bytes, base64url.
func randomState() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random state: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
