package cli

import (
	"context"
	"crypto/subtle"
	"errors"
	"github.com/bbcred/git-credential-bitbucket/helper/fastpath"
	"github.com/bbcred/git-credential-bitbucket/helper/grant"
	"strings"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/auth"
	"github.com/bbcred/git-credential-bitbucket/helper/gitcred"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

// protocolOp runs git's get, store or erase. It always exits 0: git ignores
// the status, and the outcome is in what is (not) printed.
func (r *run) protocolOp(ctx context.Context, op string) int {
	req, err := gitcred.Read(r.stdin)
	if err != nil {
		r.msg.errorf("%v (no credentials given)", err)
		return exitOK
	}
	r.red.add(req.Password, req.OAuthRefreshToken, req.Credential)
	if err := checkContextPath(req.Path); err != nil {
		r.msg.errorf("%v (no credentials given)", err)
		return exitOK
	}
	r.msg.tracef("%s for %s://%s (path %t, username %t, capabilities %v)",
		op, req.Protocol, req.Host, req.HasPath, req.HasUsername, req.Capabilities)
	switch op {
	case "get":
		r.get(ctx, req)
	case "store":
		r.store(ctx, req)
	case "erase":
		r.erase(ctx, req)
	}
	return exitOK
}

// get answers git with a token that is valid now, or explains on stderr
// why there is none.
func (r *run) get(ctx context.Context, req *gitcred.Request) {
	if rec := r.fastPath(req.Protocol, req.Host, req.Path, req.Username); rec != nil {
		authType := rec.AuthType
		if v := r.env.get(envPrefix + "AUTHTYPE"); v != "" {
			authType = strings.ToLower(v)
		}
		r.answer(req, rec, authType)
		return
	}
	t, err := r.resolve(ctx, req.Protocol, req.Host, req.Path)
	if err == nil && t == nil {
		r.challengeHint(req)
		return // not ours: silence, or one hint for a Bitbucket Server
	}
	if err == nil {
		var rec *tokenstore.Record
		rec, err = r.obtain(ctx, t, obtainRequest{
			username:     req.Username,
			refreshToken: req.OAuthRefreshToken,
			interactive:  r.interactive(t),
		})
		if err == nil {
			r.answer(req, rec, strings.ToLower(t.settings.AuthType))
			return
		}
	}
	origin := req.Protocol + "://" + req.Host
	if t != nil {
		origin = t.display()
	}
	var cfg *auth.ConfigError
	switch {
	case errors.Is(err, auth.ErrRefreshRefused):
		// Kept as suspect by the provider; never the client secret's
		// fault unless it changed since the login (docs/bitbucket-behaviour.md#cloud-2026).
		r.msg.errorf("%v: run git-credential-bitbucket login %s", err, origin)
		r.write(req, &gitcred.Response{Quit: true})
	case errors.Is(err, auth.ErrInteractionRequired):
		r.msg.errorf("%s needs you to log in (%v); run: git-credential-bitbucket login %s", origin, err, origin)
		r.write(req, &gitcred.Response{Quit: true})
	case errors.As(err, &cfg):
		r.msg.errorf("%s: %s", origin, cfg.Msg)
		r.write(req, &gitcred.Response{Quit: true})
	default:
		// Network trouble, a busy server, a store we cannot read: no
		// credentials, so git goes on to its next helper.
		r.msg.errorf("no token for %s: %v", origin, err)
	}
}

// answer prints rec for git: username x-token-auth (or the product's) and
// the token as password, or authtype=Bearer when configured and advertised.
func (r *run) answer(req *gitcred.Request, rec *tokenstore.Record, authType string) {
	r.write(req, fastpath.Answer(req, rec, authType))
}

func (r *run) write(req *gitcred.Request, resp *gitcred.Response) {
	if err := gitcred.Write(r.stdout, req, resp); err != nil {
		r.msg.errorf("cannot answer git: %v", err)
	}
}

// store records nothing the helper did not mint, with one exception: a
// refresh token git forwards (oauth_refresh_token, from another helper)
// for a remote we serve and hold no refresh token for.
func (r *run) store(ctx context.Context, req *gitcred.Request) {
	if req.Ephemeral {
		r.msg.tracef("store: ephemeral credential, nothing to keep")
		return
	}
	if req.OAuthRefreshToken == "" {
		r.msg.tracef("store: nothing we did not mint")
		return
	}
	t, err := r.resolve(ctx, req.Protocol, req.Host, req.Path)
	if err != nil || t == nil {
		r.msg.tracef("store: not ours (%v)", err)
		return
	}
	st, err := r.openStoreFor(t)
	if err != nil {
		r.msg.errorf("cannot keep the refresh token for %s: %v", t.display(), err)
		return
	}
	key := tokenstore.Key{Protocol: t.protocol, Host: t.host, Path: t.keyPath, Username: req.Username}
	lctx, cancel := context.WithTimeout(ctx, t.timeout)
	defer cancel()
	unlock, err := lockRemote(lctx, st, key)
	if err != nil {
		r.msg.errorf("cannot keep the refresh token for %s: %v", t.display(), err)
		return
	}
	defer unlock()
	recs, err := st.List()
	if err != nil {
		r.msg.errorf("cannot keep the refresh token for %s: %v", t.display(), err)
		return
	}
	rec := findRecordAt(recs, t.protocol, t.host, t.keyPath, req.Username)
	if rec != nil && rec.RefreshToken != "" {
		r.msg.tracef("store: we hold a refresh token for %s already", rec.Key)
		return
	}
	n := tokenstore.Record{Key: key, Kind: t.kind, Grant: t.settings.Grant, Identity: identity(t)}
	if rec != nil {
		n = *rec
	}
	n.RefreshToken = req.OAuthRefreshToken
	n.Updated = time.Time{}
	if err := r.put(st, t, &n); err != nil {
		r.msg.errorf("cannot keep the refresh token for %s: %v", t.display(), err)
		return
	}
	r.msg.tracef("store: kept the forwarded refresh token for %s", n.Key)
}

// erase drops our stored access token when git rejects it: only when the
// password (or bearer credential) git sends is that token. The refresh
// token stays (a later refresh shows whether it still works). An erase
// without a password is ignored: git always sends the rejected password,
// and dropping tokens on a bare host pattern would let anyone who can run
// `git credential reject` throw away a login.
func (r *run) erase(ctx context.Context, req *gitcred.Request) {
	secret := req.Password
	if secret == "" {
		secret = req.Credential
	}
	if secret == "" {
		r.msg.tracef("erase: no password in the request: nothing to do")
		return
	}
	if _, ok := remoteURL(req.Protocol, req.Host, ""); !ok {
		return
	}
	st, err := r.tokenStore()
	if err != nil {
		return
	}
	recs, err := st.List()
	if err != nil {
		r.msg.tracef("erase: %v", err)
		return
	}
	var match *tokenstore.Record
	for _, rec := range recs {
		k := rec.Key
		if k.Protocol != req.Protocol || k.Host != req.Host || rec.AccessToken == "" {
			continue
		}
		if subtle.ConstantTimeCompare([]byte(rec.AccessToken), []byte(secret)) == 1 {
			match = rec
			break
		}
	}
	if match == nil {
		r.msg.tracef("erase: the rejected password is not a token we hold")
		return
	}
	if match.Grant == grant.Static {
		r.staticErased(match) // static.go: kept, it cannot be replaced here
		return
	}
	st, err = r.openStore()
	if err != nil {
		r.msg.errorf("cannot forget the rejected token for %s: %v", match.Key, err)
		return
	}
	lctx, cancel := context.WithTimeout(ctx, DefaultTimeout)
	defer cancel()
	unlock, err := lockRemote(lctx, st, match.Key)
	if err != nil {
		r.msg.errorf("cannot forget the rejected token for %s: %v", match.Key, err)
		return
	}
	defer unlock()
	cur, err := st.Get(match.Key)
	if err != nil || cur == nil || subtle.ConstantTimeCompare([]byte(cur.AccessToken), []byte(secret)) != 1 {
		return // replaced meanwhile
	}
	r.revoke(ctx, cur)
	n := *cur
	n.AccessToken, n.TokenType, n.Expiry = "", "", time.Time{}
	n.MintedTokenID, n.MintedTokenUser = "", ""
	n.Updated = time.Time{}
	if err := st.Put(&n); err != nil {
		r.msg.errorf("cannot forget the rejected token for %s: %v", match.Key, err)
		return
	}
	r.msg.tracef("erase: dropped the rejected access token for %s, kept the refresh token", n.Key)
}

// revoke asks the provider to revoke what rec holds on the server (minted
// Server/DC HTTP access tokens); best effort, traced only.
func (r *run) revoke(ctx context.Context, rec *tokenstore.Record) error {
	t, err := r.resolve(ctx, rec.Key.Protocol, rec.Key.Host, rec.Key.Path)
	if err != nil || t == nil {
		r.msg.tracef("revoke: %s is not configured (%v): forgotten here only", rec.Key, err)
		if err == nil {
			err = errNotConfigured
		}
		return err
	}
	return r.revokeWith(ctx, t, rec)
}
