package cli

import (
	"context"
	"errors"
	"fmt"
	"github.com/bbcred/git-credential-bitbucket/helper/fastpath"
	"github.com/bbcred/git-credential-bitbucket/helper/grant"
	"github.com/bbcred/git-credential-bitbucket/helper/internal/loopback"
	"maps"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/auth"
	"github.com/bbcred/git-credential-bitbucket/helper/gitconfig"
	"github.com/bbcred/git-credential-bitbucket/helper/static"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

// target is a remote the helper serves, with its settings and provider.
type target struct {
	protocol, host string
	keyPath        string   // context path: the store key's Path (see remote.go)
	remote         *url.URL // scheme://host[:port][/keyPath]
	settings       *gitconfig.Settings
	kind           string
	provider       auth.Provider
	timeout        time.Duration
	margin         time.Duration
}

// display is the remote for messages: origin and context path, no user.
func (t *target) display() string { return remoteDisplay(t.protocol, t.host, t.keyPath) }

// remoteURL validates protocol and host as git sent them and builds the
// remote URL. ok is false for anything that is not an HTTP(S) host git
// could have meant (cert, smtp, an empty host, a host with a path or user
// smuggled in): those are not ours.
func remoteURL(protocol, host, path string) (*url.URL, bool) {
	return fastpath.Origin(protocol, host, path)
}

// resolve reads the settings for the remote and decides whether it is
// ours: nil and no error when it is not. path is the path git sent (or a
// user command's URL path); the settings are read for its context path.
//
// A remote is ours only when the user named it (issue 10, point 1):
// bitbucket.org, a URL-scoped bitbucket.<url>.* key, or an entry of
// GIT_CREDENTIAL_BITBUCKET_URL. Environment and URL-less settings only
// fill in the settings of such a remote. Two git calls: one lists the
// bitbucket.* key names (naming, context path, where an inline secret
// lives), one reads the values for the remote.
func (r *run) resolve(ctx context.Context, protocol, host, path string) (*target, error) {
	if _, ok := remoteURL(protocol, host, ""); !ok {
		return nil, nil
	}
	envURLs, err := gitconfig.EnvURLs(r.env)
	if err != nil {
		r.msg.errorf("%v", err)
	}
	cloudHost := gitconfig.IsCloudHost(host)
	entries, err := r.configEntries(ctx)
	if err != nil && !cloudHost {
		// git itself failing says nothing about a remote we do not serve:
		// not a word to it; a user command that names it reports it.
		r.msg.tracef("cannot list the bitbucket settings: %v", err)
		r.gitConfigErr = err
		return nil, nil
	}
	keyPath := r.keyPath(protocol, host, path, entries, envURLs)
	remote, _ := remoteURL(protocol, host, keyPath)
	if !cloudHost && !gitconfig.Named(entries, envURLs, remote) {
		r.msg.tracef("%s: named by no bitbucket.<url>.* key and not in %s: not ours", remote, gitconfig.URLEnv)
		return nil, nil
	}
	s, err := gitconfig.Load(ctx, r.git(), remote.String(), r.env)
	if err != nil {
		return nil, &auth.ConfigError{Msg: fmt.Sprintf("cannot read the bitbucket settings for %s: %v", remoteDisplay(protocol, host, keyPath), err)}
	}
	if s.Kind == "" && s.Grant == "" {
		if cloudHost {
			// bitbucket.org with the helper installed but no grant chosen:
			// say how to set it up, but let git go on to its other helpers
			// and its prompt rather than stopping it (no quit).
			return nil, &unconfiguredError{display: remoteDisplay(protocol, host, keyPath)}
		}
		r.msg.tracef("%s: no bitbucket.kind or bitbucket.grant configured: not ours", remote)
		return nil, nil
	}
	r.warnInlineSecret(entries, remote, s)
	r.warnUnknownKeys(remote, s)
	r.red.add(s.ClientSecret, s.JWTSharedSecret)
	if v, err := s.ClientSecretValue(); err == nil {
		r.red.add(v) // a secret from clientSecretFile is redacted too
	}
	t := &target{protocol: protocol, host: host, keyPath: keyPath, remote: remote, settings: s,
		kind: s.Kind, timeout: s.Timeout, margin: s.RefreshMargin}
	if t.kind == "" {
		t.kind = grant.InferKind(s.Grant)
	}
	if t.timeout <= 0 {
		t.timeout = DefaultTimeout
	}
	if t.margin <= 0 {
		t.margin = DefaultRefreshMargin
	}
	if protocol == "http" && !loopback.Is(host) {
		return nil, &auth.ConfigError{Msg: fmt.Sprintf("refusing to send a token over plain http to %s: use https", t.display())}
	}
	providers := r.providers()
	t.provider = providers[t.kind]
	if s.Grant == grant.Static {
		t.provider = static.Provider{} // the same for every product
	}
	if t.provider == nil {
		return nil, &auth.ConfigError{Msg: fmt.Sprintf("bitbucket.kind %q for %s is not one of %s",
			t.kind, t.display(), strings.Join(slices.Sorted(maps.Keys(providers)), ", "))}
	}
	r.msg.tracef("%s: kind %s, grant %q, timeout %s, refresh margin %s", t.display(), t.kind, s.Grant, t.timeout, t.margin)
	return t, nil
}

// obtainRequest is what the slow path needs besides the target.
type obtainRequest struct {
	username     string // what git sent
	refreshToken string // a forwarded oauth_refresh_token, "" if none
	login        bool   // force a fresh authorization
	interactive  bool
	noBrowser    bool // login --no-browser: show the URL, open nothing
}

// unconfiguredError: bitbucket.org with no bitbucket.grant configured.
type unconfiguredError struct{ display string }

func (e *unconfiguredError) Error() string {
	return fmt.Sprintf("no bitbucket.grant is configured for %s; run: git-credential-bitbucket configure %s --grant %s --client-id KEY --client-secret-stdin", e.display, e.display, grant.AuthorizationCode)
}

// lockRemote takes the lock of the remote k belongs to: one lock for all
// records of (protocol, host, key path) whatever their username, since a
// request without a username (or with the git username a record gives) is
// answered from, and may rewrite, a record kept under another key. Every
// read-modify-write of records takes it.
func lockRemote(ctx context.Context, st *tokenstore.Store, k tokenstore.Key) (func(), error) {
	k.Username = ""
	return st.Lock(ctx, k)
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
	prev := findRecordAt(recs, t.protocol, t.host, t.keyPath, o.username)
	if prev != nil && o.login && o.username == "" && prev.Key.Username != "" {
		// A login that names no user may sign in as anyone: another
		// account's record is not its to reuse, nor to overwrite.
		r.msg.tracef("slow path: login without a user name: not reusing %s", prev.Key)
		prev = nil
	}
	if prev != nil {
		key = prev.Key
		r.red.add(prev.Secrets()...)
		if id := identity(t); !sameIdentity(prev, t, id) {
			// Settings changed through plain git config: the record's
			// refresh token or OAuth 1 token belongs to another identity.
			r.msg.tracef("slow path: %s was minted for %s, now %s: starting over", key, orNone(prev.Identity), id)
			r.revokeWith(ctx, t, prev)
			prev = nil
		}
	}
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

// complete fills in what the CLI owns in a record.
func (r *run) complete(rec *tokenstore.Record, key tokenstore.Key, t *target) {
	rec.Key = key
	if rec.Kind == "" {
		rec.Kind = t.kind
	}
	if rec.Grant == "" {
		rec.Grant = t.settings.Grant
	}
	rec.RefreshMargin = t.margin
	rec.AuthType = strings.ToLower(t.settings.AuthType)
	rec.Identity = identity(t)
	rec.Updated = time.Time{}
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

// interactive reports whether a person may be asked for this target.
func (r *run) interactive(t *target) bool {
	if r.env.terminalPromptOff() {
		r.msg.tracef("GIT_TERMINAL_PROMPT=0: not interactive")
		return false
	}
	if strings.EqualFold(t.settings.Interactive, "never") {
		r.msg.tracef("bitbucket.interactive=never: not interactive")
		return false
	}
	return true
}
