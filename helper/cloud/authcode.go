package cloud

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/oauth2"

	"github.com/bbcred/git-credential-bitbucket/helper/auth"
	"github.com/bbcred/git-credential-bitbucket/helper/internal/consent"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

// authorize runs the authorization code grant through the one flow both
// products share (consent.CodeFlow: PKCE S256, a random state, a loopback
// redirect or a paste, whichever comes first), for at most the auth
// timeout, then exchanges the code.
func (c *call) authorize(ctx context.Context) (*tokenstore.Record, error) {
	cfg := c.oauthConfig("")
	flow := consent.CodeFlow{
		Listen: c.p.Listen, RedirectURL: c.s.RedirectURL, Path: "/",
		Origin: c.env.Remote.Scheme + "://" + c.env.Remote.Host, Limit: c.p.AuthTimeout,
		Person: c.person(), OpenBrowser: c.env.OpenBrowser, Trace: c.tracef,
	}
	code, verifier, err := flow.Code(ctx, cfg)
	switch {
	case err == nil:
	case errors.Is(err, consent.ErrNoWay):
		return nil, fmt.Errorf("%w: %v", auth.ErrInteractionRequired, err)
	default:
		return nil, fmt.Errorf("authorization-code: %w", err)
	}
	c.tracef("authorization-code: got a code, exchanging it")
	tok, err := c.retrieve(ctx, "code exchange", func(ctx context.Context) (*oauth2.Token, error) {
		return cfg.Exchange(ctx, code, verifier)
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
