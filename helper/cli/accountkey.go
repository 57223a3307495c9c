package cli

import (
	"context"
	"strings"

	"github.com/bbcred/git-credential-bitbucket/helper/auth"
	"github.com/bbcred/git-credential-bitbucket/helper/grant"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

// accountKey is the key a record a person's grant obtained belongs under:
// the account the token acts for (issue 12, point 5), so that two
// accounts on one host never share a record and a URL's user name finds
// its own. asked is the user name git or the command's URL gave; when the
// login got another account's token, one line names both. Grants that ask
// nobody act for what the config says and keep the key they were asked
// for. The Cloud account is asked from /2.0/user once per authorization
// (a refresh keeps the record's).
func (r *run) accountKey(ctx context.Context, t *target, env *auth.Env, rec *tokenstore.Record, key tokenstore.Key, asked string) tokenstore.Key {
	if !grant.IsInteractive(t.settings.Grant) {
		return key
	}
	acct := rec.MintedTokenUser
	if acct == "" {
		acct = rec.Account
	}
	if acct == "" && t.kind == grant.KindCloud {
		a, err := t.provider.Account(ctx, env, rec)
		if err != nil || a == "" || strings.HasPrefix(a, "app user") {
			r.msg.tracef("slow path: no account for the new token (%v): keeping it as %s", err, key)
			return key
		}
		acct, _, _ = strings.Cut(a, " (") // "alice (Alice Example)"
		rec.Account = acct
	}
	if acct == "" || acct == key.Username {
		return key
	}
	if asked != "" && !strings.EqualFold(asked, acct) && asked != rec.GitUsername {
		r.msg.errorf("%s asked for %s, but the login got a token for %s: keeping it as %s's (to use %s, sign in to Bitbucket as %s and run: git-credential-bitbucket login %s)",
			t.display(), asked, acct, acct, asked, asked, withUser(t, asked))
	}
	key.Username = acct
	return key
}

// withUser is the remote's URL with a user name, for messages.
func withUser(t *target, user string) string {
	k := tokenstore.Key{Protocol: t.protocol, Host: t.host, Path: t.keyPath, Username: user}
	return k.String()
}

// rekey moves rec, about to be saved, under its account's key (see
// accountKey). The record it was obtained from is dropped when it was kept
// for no user name (the new one supersedes it); one already kept under the
// new key is replaced, its minted token revoked first.
func (r *run) rekey(ctx context.Context, st *tokenstore.Store, t *target, env *auth.Env, rec, prev *tokenstore.Record, asked string) {
	key := r.accountKey(ctx, t, env, rec, rec.Key, asked)
	if key == rec.Key {
		return
	}
	r.msg.tracef("slow path: keeping the token as %s (was %s)", key, rec.Key)
	if prev != nil && prev.Key == rec.Key && prev.Key.Username == "" {
		if err := st.Delete(prev.Key); err != nil {
			r.msg.tracef("slow path: dropping %s: %v", prev.Key, err)
		}
	}
	rec.Key = key
	if old, err := st.Get(key); err == nil && old != nil && old.MintedTokenID != "" && old.MintedTokenID != rec.MintedTokenID {
		r.red.add(old.Secrets()...)
		r.revokeWith(ctx, t, old)
	}
}
