package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/bbcred/git-credential-bitbucket/helper/auth"
	"github.com/bbcred/git-credential-bitbucket/helper/fastpath"
	"github.com/bbcred/git-credential-bitbucket/helper/grant"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

// obtainRequest is what the slow path needs besides the target.
type obtainRequest struct {
	username     string // what git sent
	refreshToken string // a forwarded oauth_refresh_token, "" if none
	login        bool   // force a fresh authorization
	interactive  bool
	noBrowser    bool // login --no-browser: show the URL, open nothing
}

// obtain is the slow path: lock the key, re-read the store, let the
// provider refresh, mint or authorize, persist, unlock.
//
// t.timeout is the deadline of the whole call, waiting for the lock
// included (issue 10, point 4); only a grant that asks a person, with
// prompting allowed, gets interactiveGrace on top.
func (r *run) obtain(ctx context.Context, t *target, o obtainRequest) (*tokenstore.Record, error) {
	if t.settings.Grant == grant.OAuth1Impersonate {
		if _, err := actingUser(t.settings, o.username); err != nil {
			return nil, err
		}
	}
	deadline := t.timeout
	if o.interactive && grant.IsInteractive(t.settings.Grant) {
		deadline += interactiveGrace
	}
	ctx, cancel := context.WithTimeout(ctx, deadline)
	defer cancel()
	st, err := r.openStoreFor(t)
	if err != nil {
		return nil, err
	}
	key := tokenstore.Key{Protocol: t.protocol, Host: t.host, Path: t.keyPath, Username: o.username}
	lockCtx, cancelLock := context.WithTimeout(ctx, t.timeout)
	unlock, err := lockRemote(lockCtx, st, key)
	cancelLock()
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return nil, fmt.Errorf("another git-credential-bitbucket is still getting a token for %s (waited %s)", t.display(), t.timeout)
		}
		return nil, err
	}
	defer unlock()

	recs, err := st.List()
	if err != nil {
		return nil, err
	}
	prev, key := r.storedRecord(ctx, t, recs, o, key)
	if prev != nil {
		if !o.login && fastpath.Fresh(prev, r.now(), t.margin) && !keepAliveDue(prev, r.now()) {
			r.msg.tracef("slow path: %s was refreshed meanwhile, valid until %s", key, expiryText(prev.Expiry))
			return prev, nil
		}
	}
	if o.refreshToken != "" && (prev == nil || prev.RefreshToken == "") {
		r.msg.tracef("slow path: using the refresh token git forwarded")
		p := tokenstore.Record{Key: key, Kind: t.kind, Grant: t.settings.Grant, Identity: identity(t)}
		if prev != nil {
			p = *prev
		}
		p.RefreshToken = o.refreshToken
		prev = &p
	}

	env, closeEnv := r.authEnv(t, o)
	defer closeEnv()
	rec, err := t.provider.Obtain(ctx, env, prev, o.login)
	if rec != nil {
		r.red.add(rec.Secrets()...)
		r.complete(rec, key, t)
	}
	if err != nil {
		// A provider may return, with its error, what the store should
		// now hold (a dead refresh token dropped); nil keeps it as is.
		if rec != nil {
			if perr := r.put(st, t, rec); perr != nil {
				r.msg.tracef("slow path: saving after an error: %v", perr)
			}
		}
		return nil, err
	}
	if rec == nil || rec.AccessToken == "" {
		return nil, fmt.Errorf("%s provider returned no token", t.kind)
	}
	r.rekey(ctx, st, t, env, rec, prev, o.username)
	// A rotated refresh token is only good once: persist before printing.
	if err := r.put(st, t, rec); err != nil {
		return nil, fmt.Errorf("save the token: %w", err)
	}
	r.msg.tracef("slow path: saved a token for %s valid until %s", key, expiryText(rec.Expiry))
	return rec, nil
}

// authEnv builds the provider's environment. The terminal is opened only
// here (the slow path), and only when a person may be asked.
func (r *run) authEnv(t *target, o obtainRequest) (*auth.Env, func()) {
	settings := t.settings
	if settings.Grant == grant.OAuth1Impersonate {
		// The provider acts for bitbucket.user: the one user this request
		// may have (checked in obtain), not the allow-list.
		s := *settings
		s.User, _ = actingUser(settings, o.username)
		settings = &s
	}
	env := &auth.Env{
		Settings:    settings,
		Remote:      t.remote,
		Username:    o.username,
		HTTP:        r.client(),
		Now:         r.now,
		Interactive: o.interactive,
		OpenBrowser: r.app.OpenBrowser,
		Say:         r.msg.sayf,
		Trace:       r.msg.tracef,
	}
	switch {
	case o.noBrowser || r.env.flag(envPrefix+"NO_BROWSER"):
		env.OpenBrowser = nil
	case env.OpenBrowser == nil:
		env.OpenBrowser = browserOpener(r.env)
	}
	closeFn := func() {}
	if o.interactive {
		open := r.app.OpenTTY
		if open == nil {
			open = openTTY
		}
		if tty, err := open(); err == nil {
			env.TTY = tty
			closeFn = func() { tty.Close() }
		} else {
			r.msg.tracef("no terminal: %v", err)
		}
	}
	return env, closeFn
}
