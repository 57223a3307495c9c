package server

import (
	"context"

	"github.com/bbcred/git-credential-bitbucket/helper/auth"
)

// ProbeLink tests the application link of a 3-legged OAuth 1 remote with
// no person: a signed request-token call (the first leg,
// docs/bitbucket-behaviour.md#dc-oauth1-endpoints) proves the consumer key
// is known and the server takes signatures of the private key (its
// oauth_problem names what is wrong). The request token is left unused;
// the server forgets it after 10 minutes.
func (p *Provider) ProbeLink(ctx context.Context, env *auth.Env) error {
	c, err := p.newCall(env)
	if err != nil {
		return err
	}
	sg, err := c.newSigner()
	if err != nil {
		return err
	}
	_, err = c.requestToken(ctx, sg, "oob")
	return err
}
