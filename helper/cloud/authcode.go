package cloud

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"

	"golang.org/x/oauth2"

	"github.com/bbcred/git-credential-bitbucket/helper/auth"
	"github.com/bbcred/git-credential-bitbucket/helper/internal/consent"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

// authorize runs the authorization code grant (RFC 6749 §4.1) with PKCE
// S256 (RFC 7636) and a random state: a loopback listener (RFC 8252 §7.3)
// receives the redirect from the browser. When no browser can be opened,
// the URL goes to the terminal and the redirected URL (or the bare code)
// is read back from it. Gives up after the auth timeout.
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
		limit = DefaultAuthTimeout
	}
	actx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()

	var tty io.Reader // set when the address is pasted
	origin := c.env.Remote.Scheme + "://" + c.env.Remote.Host
	c.tracef("authorization-code: redirect %s, waiting up to %s", cb.URL, limit)
	if err := c.openBrowser(cb, authURL); err != nil {
		c.tracef("authorization-code: no browser: %v", err)
		if c.env.TTY == nil {
			return nil, fmt.Errorf("%w: no browser could be opened (%v) and there is no terminal", auth.ErrInteractionRequired, err)
		}
		fmt.Fprintf(c.env.TTY, "To authorize git-credential-bitbucket for %s, open this URL in a browser:\n\n  %s\n\n"+
			"then paste here the address the browser was sent to (or just the code): ", origin, authURL)
		tty = c.env.TTY
	} else if c.env.TTY != nil {
		fmt.Fprintf(c.env.TTY, "git-credential-bitbucket: authorize %s in your browser (waiting up to %s)\n", origin, limit)
	}

	code, err := cb.Await(actx, tty, state)
	switch {
	case err == nil:
	case ctx.Err() != nil:
		return nil, fmt.Errorf("authorization-code: %w", ctx.Err())
	case actx.Err() != nil:
		return nil, fmt.Errorf("authorization-code: gave up waiting for the authorization after %s", limit)
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

// openBrowser opens u through cb's single-use start URL.
func (c *call) openBrowser(cb *consent.Callback, u string) error {
	if c.env.OpenBrowser == nil {
		return errors.New("no browser opener")
	}
	return cb.Open(c.env.OpenBrowser, u)
}

// randomState is 32 random bytes, base64url.
func randomState() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random state: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
