package static

import (
	"context"
	"fmt"

	"github.com/bbcred/git-credential-bitbucket/helper/auth"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

// Provider serves grant=static on the slow path: the stored token as it
// is while it has not expired. Nothing is minted or refreshed: a missing
// or expired token is a configuration error (quit=1) naming the command
// that replaces it.
type Provider struct{}

// Obtain returns a copy of prev while its token has not expired.
func (Provider) Obtain(_ context.Context, env *auth.Env, prev *tokenstore.Record, login bool) (*tokenstore.Record, error) {
	remote := env.Remote.String()
	switch {
	case login:
		return nil, &auth.ConfigError{Msg: "a static token needs no login; to replace it, run: " + ReplaceCommand(remote)}
	case prev == nil || prev.AccessToken == "":
		return nil, &auth.ConfigError{Msg: "no static token is stored; store one with: " + ReplaceCommand(remote)}
	case Expired(prev.Expiry, env.Now()):
		return nil, &auth.ConfigError{Msg: fmt.Sprintf("the static token expired on %s; create a new one in Bitbucket and run: %s",
			prev.Expiry.UTC().Format("2006-01-02 15:04 MST"), ReplaceCommand(remote))}
	}
	rec := *prev
	return &rec, nil
}

// Revoke does nothing: the user created the token and deletes it in
// Bitbucket; the helper only forgets it.
func (Provider) Revoke(context.Context, *auth.Env, *tokenstore.Record) error { return nil }

// Account is what configure learnt from the server.
func (Provider) Account(_ context.Context, _ *auth.Env, rec *tokenstore.Record) (string, error) {
	if rec.Account != "" {
		return rec.Account, nil
	}
	return "(" + rec.TokenKind + ", no account named)", nil
}
