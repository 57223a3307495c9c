package datacenter

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/oauth2"

	"github.com/bbcred/git-credential-bitbucket/helper/auth"
	"github.com/bbcred/git-credential-bitbucket/helper/grant"
	"github.com/bbcred/git-credential-bitbucket/helper/internal/consent"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

var _ auth.Checker = (*Provider)(nil)

// Preflight implements auth.Checker. oauth1-2lo and oauth1-impersonate
// mint an HTTP access token (returned for the store: it is the one the
// first git command uses). oauth1 asks for a request token, which checks
// the consumer key and the signature with the link's public key
// (docs/bitbucket-behaviour.md#dc-oauth1-wire) and needs no person. oauth2
// exchanges a code the server never issued: invalid_grant means the client
// id and secret are right, invalid_client that they are not
// (docs/bitbucket-behaviour.md#dc-oauth2-token-request).
func (p *Provider) Preflight(ctx context.Context, env *auth.Env) (*tokenstore.Record, error) {
	c, err := p.newCall(env)
	if err != nil {
		return nil, err
	}
	switch c.grant {
	case grant.OAuth1TwoLegged, grant.OAuth1Impersonate:
		return p.obtainOAuth1(ctx, c, nil, true)
	case grant.OAuth1:
		sg, err := c.newSigner()
		if err != nil {
			return nil, err
		}
		_, err = c.requestToken(ctx, sg, "oob")
		return nil, err
	case grant.OAuth2:
		return nil, c.probeOAuth2(ctx)
	}
	return nil, nil
}

// probeOAuth2 is the oauth2 client check, with the redirect the consent
// would use.
func (c *call) probeOAuth2(ctx context.Context) error {
	cfg, err := c.oauth2Config()
	if err != nil {
		return err
	}
	cb, err := consent.Listen(c.p.Listen, c.s.RedirectURL, "/callback")
	if err != nil {
		return err
	}
	cfg.RedirectURL = cb.URL
	cb.Close()
	const op = "check the OAuth 2 client"
	octx := context.WithValue(ctx, oauth2.HTTPClient, c.http)
	_, err = c.retrieve(ctx, op, func() (*oauth2.Token, error) {
		return cfg.Exchange(octx, "git-credential-bitbucket-preflight", oauth2.VerifierOption(oauth2.GenerateVerifier()))
	})
	var re *oauth2.RetrieveError
	switch {
	case err == nil:
		return fmt.Errorf("%s: %s accepted a code it never issued", op, redactURL(c.base))
	case errors.As(err, &re) && re.ErrorCode == "invalid_grant":
		return nil
	}
	return c.oauth2Error(op, err)
}
