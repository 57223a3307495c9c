// Package datacenter is the Bitbucket Data Center provider of the
// credential helper, and it also serves Bitbucket Server (bitbucket.kind
// server): OAuth 1 application links (3-legged, 2-legged, 2-legged with
// impersonation) that mint short-lived personal HTTP access tokens for
// git, and Data Center's OAuth 2 provider (authorization code with PKCE,
// rotating refresh tokens).
package datacenter

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/auth"
	"github.com/bbcred/git-credential-bitbucket/helper/fastpath"
	"github.com/bbcred/git-credential-bitbucket/helper/gitconfig"
	"github.com/bbcred/git-credential-bitbucket/helper/grant"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

// Defaults for settings left unset.
const (
	defaultRefreshMargin    = fastpath.DefaultRefreshMargin
	defaultTokenPermissions = gitconfig.DefaultTokenPermissions
	defaultTokenExpiryDays  = gitconfig.DefaultTokenExpiryDays
	defaultOAuth2Scopes     = "REPO_READ REPO_WRITE"
	// oauth1AccessTokenLife is assumed when the access-token response has
	// no oauth_expires_in (Atlassian's default, docs/bitbucket-behaviour.md#dc-oauth1-wire).
	oauth1AccessTokenLife = 5 * 365 * 24 * time.Hour
)

// Provider implements auth.Provider for Bitbucket Server and Data Center.
// The zero value is ready to use.
type Provider struct {
	// Listen opens the loopback listener for OAuth redirects; nil means
	// net.Listen.
	Listen func(network, address string) (net.Listener, error)
	// ConsentTimeout bounds the wait for the browser (or the pasted
	// verifier) when ctx has no earlier deadline; zero means
	// defaultConsentTimeout.
	ConsentTimeout time.Duration
	// ReadSecretFile reads bitbucket.privateKeyFile and clientSecretFile;
	// nil means gitconfig.ReadSecretFile (which refuses files that group
	// or others can read).
	ReadSecretFile func(path string) ([]byte, error)
	// Machine names this machine in minted tokens' tags (see sweep.go);
	// "" means os.Hostname.
	Machine string
}

func (p *Provider) readSecretFile(path string) ([]byte, error) {
	if p.ReadSecretFile != nil {
		return p.ReadSecretFile(path)
	}
	return gitconfig.ReadSecretFile(path)
}

var _ auth.Provider = (*Provider)(nil)

// New returns a Provider with defaults.
func New() *Provider { return &Provider{} }

// Obtain implements auth.Provider.
func (p *Provider) Obtain(ctx context.Context, env *auth.Env, prev *tokenstore.Record, login bool) (*tokenstore.Record, error) {
	c, err := p.newCall(env)
	if err != nil {
		return nil, err
	}
	if prev != nil && prev.Grant != c.grant {
		// Configuration changed: the old record's OAuth state is not ours
		// to reuse, but its minted token should still be cleaned up.
		c.tracef("stored record is for grant %q, now %q: starting over", prev.Grant, c.grant)
		if prev.MintedTokenID != "" {
			if err := p.Revoke(ctx, env, prev); err != nil {
				c.tracef("revoking the previous grant's token: %v", err)
			}
		}
		prev = nil
	}
	switch c.grant {
	case grant.OAuth2:
		return p.obtainOAuth2(ctx, c, prev, login)
	default:
		return p.obtainOAuth1(ctx, c, prev, login)
	}
}

// Revoke implements auth.Provider: it deletes the HTTP access token the
// helper minted (OAuth 1 grants), signed as its owner. DC OAuth 2 tokens
// have no revocation endpoint; they are only forgotten locally.
func (p *Provider) Revoke(ctx context.Context, env *auth.Env, rec *tokenstore.Record) error {
	if rec == nil || rec.MintedTokenID == "" {
		return nil
	}
	c, err := p.newCall(env)
	if err != nil {
		return err
	}
	name := rec.Grant
	if name == "" || name == grant.OAuth2 {
		name = c.grant
	}
	if name == grant.OAuth2 {
		return nil
	}
	cl, err := c.oauth1Client(name, rec, rec.MintedTokenUser)
	if err != nil {
		return err
	}
	err = cl.deleteToken(ctx, rec.MintedTokenUser, rec.MintedTokenID)
	c.sweep(ctx, cl, rec.MintedTokenUser, rec.MintedTokenID)
	return err
}

// Account implements auth.Provider: "Display Name (slug)" from
// GET /rest/api/1.0/users/{slug}, authenticated with the stored token.
func (p *Provider) Account(ctx context.Context, env *auth.Env, rec *tokenstore.Record) (string, error) {
	if rec == nil {
		return "", nil
	}
	slug := rec.MintedTokenUser
	if slug == "" {
		slug = rec.Account
	}
	if slug == "" {
		slug = rec.GitUsername
	}
	if slug == "" || rec.AccessToken == "" {
		return slug, nil
	}
	c, err := p.newCall(env)
	if err != nil {
		return "", err
	}
	if err := checkSlug(slug); err != nil {
		return "", err
	}
	u := endpoint(c.base, "rest", "api", "1.0", "users", slug)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+rec.AccessToken)
	var user struct {
		Slug        string `json:"slug"`
		Name        string `json:"name"`
		DisplayName string `json:"displayName"`
	}
	if _, err := c.doJSON(req, "read the user profile", "", &user); err != nil {
		return slug, err
	}
	if user.Slug == "" {
		user.Slug = slug
	}
	if user.DisplayName == "" {
		return user.Slug, nil
	}
	return fmt.Sprintf("%s (%s)", sanitize(user.DisplayName), user.Slug), nil
}
