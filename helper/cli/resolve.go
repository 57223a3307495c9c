package cli

import (
	"context"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/auth"
	"github.com/bbcred/git-credential-bitbucket/helper/fastpath"
	"github.com/bbcred/git-credential-bitbucket/helper/gitconfig"
	"github.com/bbcred/git-credential-bitbucket/helper/grant"
	"github.com/bbcred/git-credential-bitbucket/helper/internal/loopback"
	"github.com/bbcred/git-credential-bitbucket/helper/static"
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

// unconfiguredError: bitbucket.org with no bitbucket.grant configured.
type unconfiguredError struct{ display string }

func (e *unconfiguredError) Error() string {
	return fmt.Sprintf("no bitbucket.grant is configured for %s; run: git-credential-bitbucket configure %s --grant authorization-code --client-id KEY --client-secret-stdin", e.display, e.display)
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
