package datacenter

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/auth"
	"github.com/bbcred/git-credential-bitbucket/helper/grant"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

// obtainOAuth1 serves the three OAuth 1 grants: reuse the minted HTTP
// access token while it outlives the margin, else (after a consent for
// the 3-legged grant when needed) mint a new one and delete the old one.
func (p *Provider) obtainOAuth1(ctx context.Context, c *call, prev *tokenstore.Record, login bool) (*tokenstore.Record, error) {
	want := ""
	if c.grant == grant.OAuth1Impersonate {
		// bitbucket.user alone says whom to act for, never the username
		// git sent: a URL in someone else's repository could name anyone
		// (issue 10, point 2; the CLI checks the allow-list).
		want = c.s.User
		if want == "" {
			return nil, &auth.ConfigError{Msg: fmt.Sprintf("grant %s needs bitbucket.user for %s (the remote URL never chooses the user)", c.grant, redactURL(c.base))}
		}
	}
	if !login && prev != nil && prev.MintedTokenID != "" && c.fresh(prev) &&
		(want == "" || strings.EqualFold(prev.MintedTokenUser, want)) {
		c.tracef("reusing HTTP access token %s of %s until %s", prev.MintedTokenID, prev.MintedTokenUser, prev.Expiry.UTC().Format("2006-01-02T15:04:05Z"))
		return prev, nil
	}

	rec := &tokenstore.Record{}
	if prev != nil {
		*rec = *prev
	}
	rec.Kind = c.kind()
	rec.Grant = c.grant

	consented := false
	if c.grant == grant.OAuth1 && (login || rec.OAuth1Token == "" ||
		(!rec.OAuth1Expiry.IsZero() && !rec.OAuth1Expiry.After(c.now()))) {
		if err := p.consent(ctx, c, rec); err != nil {
			return nil, err
		}
		consented = true
	}
	for {
		err := p.mint(ctx, c, rec, want)
		if err == nil {
			return rec, nil
		}
		var pe *oauthProblemError
		if c.grant != grant.OAuth1 || !errors.As(err, &pe) || pe.Leg != leg3LO || !pe.TokenProblem() {
			return nil, err
		}
		// The stored 3-legged access token is dead (revoked, expired, link
		// reconfigured): drop it and ask again, once. With an error, rec is
		// what the store should hold from now on (the dead token gone).
		c.tracef("stored OAuth 1 access token refused (%s): dropping it", pe.Problem)
		rec.OAuth1Token, rec.OAuth1TokenSecret, rec.OAuth1Expiry = "", "", time.Time{}
		if consented {
			return rec, err
		}
		if !c.env.Interactive {
			return rec, fmt.Errorf("%w: %w", err, auth.ErrInteractionRequired)
		}
		if err := p.consent(ctx, c, rec); err != nil {
			return rec, err
		}
		consented = true
	}
}

// mint creates an HTTP access token for the acting user, records it in
// rec and deletes the token it replaces (best effort), so at most one
// helper-minted token per user and remote stays alive.
func (p *Provider) mint(ctx context.Context, c *call, rec *tokenstore.Record, want string) error {
	cl, err := c.oauth1Client(c.grant, rec, want)
	if err != nil {
		return err
	}
	slug := want
	if slug == "" {
		if slug, err = cl.whoami(ctx); err != nil {
			return err
		}
	}
	tok, err := cl.createToken(ctx, slug)
	if err != nil {
		return err
	}
	oldID, oldUser := rec.MintedTokenID, rec.MintedTokenUser
	rec.AccessToken = tok.Token
	rec.Expiry = tok.Expiry
	rec.TokenType = ""
	rec.MintedTokenID = tok.ID
	rec.MintedTokenUser = slug
	rec.GitUsername = slug
	rec.Account = slug
	rec.Scopes = strings.Join(tokenPermissions(c.s.TokenPermissions), " ")
	rec.Updated = c.now()
	c.tracef("minted HTTP access token %s for %s, expires %s", tok.ID, slug, tok.Expiry.UTC().Format("2006-01-02T15:04:05Z"))

	c.sweep(ctx, cl, slug, tok.ID, oldID)
	if oldID == "" || oldID == tok.ID {
		return nil
	}
	del := cl
	if cl.leg == leg2LOi && oldUser != "" && oldUser != slug {
		if del, err = c.oauth1Client(c.grant, rec, oldUser); err != nil {
			c.tracef("not deleting replaced token %s: %v", oldID, err)
			return nil
		}
	}
	if oldUser == "" {
		oldUser = slug
	}
	if err := del.deleteToken(ctx, oldUser, oldID); err != nil {
		c.tracef("could not delete replaced token %s of %s: %v", oldID, oldUser, err)
	} else {
		c.tracef("deleted replaced token %s of %s", oldID, oldUser)
	}
	return nil
}

func (c *call) kind() string {
	if c.s.Kind != "" {
		return c.s.Kind
	}
	return grant.InferKind(c.grant)
}
