package cli

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/auth"
	"github.com/bbcred/git-credential-bitbucket/helper/gitconfig"
	"github.com/bbcred/git-credential-bitbucket/helper/internal/consent"
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
	if protocol != "https" && protocol != "http" {
		return nil, false
	}
	if host == "" || strings.ContainsAny(host, "/@?#\\ ") {
		return nil, false
	}
	u, err := url.Parse(protocol + "://" + host)
	if err != nil || u.Host != host || u.User != nil || u.Path != "" {
		return nil, false
	}
	if path != "" {
		u.Path = "/" + strings.Trim(path, "/")
	}
	return u, true
}

// inferKind picks the product when bitbucket.kind is not set.
func inferKind(grant string) string {
	switch {
	case strings.HasPrefix(grant, "oauth1"):
		return "server"
	case grant == "oauth2":
		return "datacenter"
	}
	return "cloud"
}

// resolve reads the settings for the remote (one git config call, two
// when git sent a path without "scm/") and decides whether it is ours: nil
// and no error when it is not. path is the path git sent (or a user
// command's URL path); the settings are read for its context path.
func (r *run) resolve(ctx context.Context, protocol, host, path string) (*target, error) {
	if _, ok := remoteURL(protocol, host, ""); !ok {
		return nil, nil
	}
	keyPath := r.keyPath(ctx, protocol, host, path)
	remote, _ := remoteURL(protocol, host, keyPath)
	cloudHost := gitconfig.IsCloudHost(host)
	s, err := gitconfig.Load(ctx, r.git(), remote.String(), r.env)
	if err != nil {
		// A value gitconfig refuses for a remote with bitbucket.kind or
		// bitbucket.grant set (or for bitbucket.org) makes it ours, and
		// misconfigured. A bad global value, or git itself failing, says
		// nothing about a remote we do not serve: not a word to it.
		var invalid *gitconfig.InvalidValueError
		if !cloudHost && !(errors.As(err, &invalid) && invalid.RemoteConfigured) {
			r.msg.tracef("cannot read git config for %s: %v", remote.Redacted(), err)
			r.gitConfigErr = err // a user command names it (target)
			return nil, nil
		}
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
	r.red.add(s.ClientSecret, s.JWTSharedSecret)
	if v, err := s.ClientSecretValue(); err == nil {
		r.red.add(v) // a secret from clientSecretFile is redacted too
	}
	t := &target{protocol: protocol, host: host, keyPath: keyPath, remote: remote, settings: s,
		kind: s.Kind, timeout: s.Timeout, margin: s.RefreshMargin}
	if t.kind == "" {
		t.kind = inferKind(s.Grant)
	}
	if t.timeout <= 0 {
		t.timeout = DefaultTimeout
	}
	if t.margin <= 0 {
		t.margin = DefaultRefreshMargin
	}
	if strings.EqualFold(s.Store, "keyring") {
		// Designed, not built: a silent fallback to the file would put
		// secrets where the user asked us not to.
		return nil, &auth.ConfigError{Msg: "bitbucket.store=keyring is not supported yet; remove it to use the file store"}
	}
	if protocol == "http" && !consent.IsLoopback(host) {
		return nil, &auth.ConfigError{Msg: fmt.Sprintf("refusing to send a token over plain http to %s: use https", t.display())}
	}
	providers := r.providers()
	t.provider = providers[t.kind]
	if t.provider == nil {
		return nil, &auth.ConfigError{Msg: fmt.Sprintf("bitbucket.kind %q for %s is not one of %s",
			t.kind, t.display(), strings.Join(slices.Sorted(maps.Keys(providers)), ", "))}
	}
	r.msg.tracef("%s: kind %s, grant %q, timeout %s, refresh margin %s", t.display(), t.kind, s.Grant, t.timeout, t.margin)
	return t, nil
}

// fresh reports whether rec holds an access token valid for more than margin.
func fresh(rec *tokenstore.Record, now time.Time, margin time.Duration) bool {
	return rec != nil && rec.AccessToken != "" && !rec.Expiry.IsZero() && rec.Expiry.Sub(now) > margin
}

// findRecord picks the record answering for (protocol, host, path,
// username): same protocol and host; a record path that is empty or a
// prefix of path on "/" boundaries; the same username, or any when
// username is empty. A record kept for requests without a username also
// answers a request for the username it gives git (a remote URL such as
// https://x-token-auth@bitbucket.org/...). The longest path wins, then the
// latest update.
func findRecord(recs []*tokenstore.Record, protocol, host, path, username string) *tokenstore.Record {
	path = strings.Trim(path, "/")
	var best *tokenstore.Record
	for _, rec := range recs {
		k := rec.Key
		if k.Protocol != protocol || k.Host != host {
			continue
		}
		if username != "" && k.Username != username && !(k.Username == "" && rec.GitUsername == username) {
			continue
		}
		if k.Path != "" && path != k.Path && !strings.HasPrefix(path, k.Path+"/") {
			continue
		}
		switch {
		case best == nil,
			len(k.Path) > len(best.Key.Path),
			len(k.Path) == len(best.Key.Path) && rec.Updated.After(best.Updated):
			best = rec
		}
	}
	return best
}

// fastPath returns a stored token for the request that stays valid for the
// margin, without running git or touching the network: the margin is the
// environment override, else the one the record was written with, else
// the default. Nil when there is none (or the store cannot be read: the
// slow path reports that).
func (r *run) fastPath(protocol, host, path, username string) *tokenstore.Record {
	if _, ok := remoteURL(protocol, host, ""); !ok {
		return nil
	}
	if strings.EqualFold(r.env.get(envPrefix+"STORE"), "keyring") {
		return nil // the slow path says why that does not work
	}
	dir, err := r.storeDir()
	if err != nil {
		return nil
	}
	st := &tokenstore.Store{Dir: dir}
	recs, err := st.List()
	if err != nil {
		r.msg.tracef("fast path: %v", err)
		return nil
	}
	rec := findRecord(recs, protocol, host, path, username)
	if rec == nil {
		r.msg.tracef("fast path: no stored token for %s://%s", protocol, host)
		return nil
	}
	r.red.add(rec.AccessToken, rec.RefreshToken)
	margin, ok := r.env.duration("REFRESH_MARGIN")
	if !ok {
		margin = rec.RefreshMargin
	}
	if margin <= 0 {
		margin = DefaultRefreshMargin
	}
	if !fresh(rec, r.now(), margin) {
		r.msg.tracef("fast path: stored token for %s expires %s, within the margin %s", rec.Key, expiryText(rec.Expiry), margin)
		return nil
	}
	if keepAliveDue(rec, r.now()) {
		r.msg.tracef("fast path: the refresh token for %s was last used %s: keep-alive", rec.Key, expiryText(rec.RefreshUsed))
		return nil
	}
	r.msg.tracef("fast path: stored token for %s valid until %s", rec.Key, expiryText(rec.Expiry))
	return rec
}

func expiryText(t time.Time) string {
	if t.IsZero() {
		return "(unknown)"
	}
	return t.UTC().Format(time.RFC3339)
}

// obtainRequest is what the slow path needs besides the target.
type obtainRequest struct {
	username     string // what git sent
	refreshToken string // a forwarded oauth_refresh_token, "" if none
	login        bool   // force a fresh authorization
	interactive  bool
}

// unconfiguredError: bitbucket.org with no bitbucket.grant configured.
type unconfiguredError struct{ display string }

func (e *unconfiguredError) Error() string {
	return fmt.Sprintf("no bitbucket.grant is configured for %s; run: git-credential-bitbucket configure %s --grant authorization-code --client-id KEY --client-secret-stdin", e.display, e.display)
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
func (r *run) obtain(ctx context.Context, t *target, o obtainRequest) (*tokenstore.Record, error) {
	deadline := t.timeout
	if o.interactive {
		deadline += interactiveGrace
	}
	ctx, cancel := context.WithTimeout(ctx, deadline)
	defer cancel()
	st, err := r.openStore()
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
	if prev != nil {
		key = prev.Key
		r.red.add(prev.AccessToken, prev.RefreshToken, prev.OAuth1Token, prev.OAuth1TokenSecret)
		if id := identity(t); !sameIdentity(prev, t, id) {
			// Settings changed through plain git config: the record's
			// refresh token or OAuth 1 token belongs to another identity.
			r.msg.tracef("slow path: %s was minted for %s, now %s: starting over", key, orNone(prev.Identity), id)
			r.revokeWith(ctx, t, prev)
			prev = nil
		}
	}
	if prev != nil {
		if !o.login && fresh(prev, r.now(), t.margin) && !keepAliveDue(prev, r.now()) {
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
		r.red.add(rec.AccessToken, rec.RefreshToken, rec.OAuth1Token, rec.OAuth1TokenSecret)
		r.complete(rec, key, t)
	}
	if err != nil {
		// A provider may return, with its error, what the store should
		// now hold (a dead refresh token dropped); nil keeps it as is.
		if rec != nil {
			if perr := st.Put(rec); perr != nil {
				r.msg.tracef("slow path: saving after an error: %v", perr)
			}
		}
		return nil, err
	}
	if rec == nil || rec.AccessToken == "" {
		return nil, fmt.Errorf("%s provider returned no token", t.kind)
	}
	// A rotated refresh token is only good once: persist before printing.
	if err := st.Put(rec); err != nil {
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
	env := &auth.Env{
		Settings:    t.settings,
		Remote:      t.remote,
		Username:    o.username,
		HTTP:        r.client(),
		Now:         r.now,
		Interactive: o.interactive,
		OpenBrowser: r.app.OpenBrowser,
		Trace:       r.msg.tracef,
	}
	if env.OpenBrowser == nil {
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
