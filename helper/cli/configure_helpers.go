package cli

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/bbcred/git-credential-bitbucket/helper/gitconfig"
)

// configEntry is one git config entry as `git config -z --show-scope
// --show-origin --list` prints it: section and variable lowercased, the
// subsection (a URL) as written.
type configEntry struct{ scope, origin, key, value string }

// listConfig lists every entry of args' files (e.g. "--global"; none: all
// scopes) in the order git reads them.
func (r *run) listConfig(ctx context.Context, args ...string) ([]configEntry, error) {
	out, err := r.gitOutput(ctx, append(append([]string{"config"}, args...), "-z", "--show-scope", "--show-origin", "--list")...)
	if err != nil {
		if strings.Contains(err.Error(), "No such file or directory") {
			return nil, nil // no global file yet
		}
		return nil, err
	}
	parts := strings.Split(out, "\x00")
	var es []configEntry
	for i := 0; i+2 < len(parts); i += 3 {
		k, v, _ := strings.Cut(parts[i+2], "\n")
		es = append(es, configEntry{scope: parts[i], origin: parts[i+1], key: k, value: v})
	}
	return es, nil
}

// writeRemoteConfig replaces the remote's bitbucket.<url>.* section with
// settings and writes git's helper reset then ours, at the end of the
// global file (helperSetup). It is the whole of what configure writes.
func (r *run) writeRemoteConfig(ctx context.Context, u *url.URL, settings []configSetting, helper string) error {
	remote := strings.TrimSuffix(u.String(), "/")
	// The remote's section is replaced, not merged: a setting left over
	// from another grant (a client secret file, a JWT key) must not apply.
	if _, err := r.gitOutput(ctx, "config", "--global", "--get-regexp", `^bitbucket\.`+regexp.QuoteMeta(remote)+`\.`); err == nil {
		if err := r.gitConfig(ctx, "--global", "--remove-section", "bitbucket."+remote); err != nil {
			return err
		}
	}
	for _, s := range settings {
		if err := r.gitConfig(ctx, "--global", "--replace-all", "bitbucket."+remote+"."+s.key, s.value); err != nil {
			return err
		}
	}
	return r.helperSetup(ctx, remote, helper, strings.Trim(u.Path, "/") != "")
}

// helperSetup makes credential.<remote>.helper an empty entry (git's reset:
// every helper configured before it is dropped for the remote) followed by
// ours, as `gh auth setup-git` and Git Credential Manager do. The section
// is rewritten at the end of the global file whenever a helper that
// applies to the remote follows it there, so that one reset covers every
// global helper (a later `git config --global credential.helper store`
// with no [credential] section yet lands after it: run configure again).
// The section's other keys are kept; with a path, useHttpPath=true too
// (without it git sends no path, and settings keyed by a URL with a path
// would never match).
func (r *run) helperSetup(ctx context.Context, remote, helper string, withPath bool) error {
	es, err := r.listConfig(ctx, "--global")
	if err != nil {
		return err
	}
	prefix := "credential." + remote + "."
	var ours []string // our section's helper values, in order
	var keep []configEntry
	last := -1 // index of our section's last entry
	for i, e := range es {
		if k, ok := strings.CutPrefix(e.key, prefix); ok && !strings.Contains(k, ".") {
			if strings.EqualFold(k, "helper") {
				ours = append(ours, e.value)
			} else if !(withPath && strings.EqualFold(k, "usehttppath")) {
				keep = append(keep, e)
			}
			last = i
		}
	}
	rem, _ := url.Parse(remote)
	followed := slices.ContainsFunc(es[last+1:], func(e configEntry) bool {
		_, ok := helperApplies(e.key, rem)
		return ok && e.value != ""
	})
	hasPath := slices.ContainsFunc(es, func(e configEntry) bool { return strings.EqualFold(e.key, prefix+"usehttppath") && e.value == "true" })
	if slices.Equal(ours, []string{"", helper}) && !followed && (!withPath || hasPath) {
		return nil // already so: configure is idempotent
	}
	if last >= 0 {
		if err := r.gitConfig(ctx, "--global", "--remove-section", "credential."+remote); err != nil {
			return err
		}
	}
	for _, v := range []string{"", helper} {
		if err := r.gitConfig(ctx, "--global", "--add", prefix+"helper", v); err != nil {
			return err
		}
	}
	for _, e := range keep {
		if err := r.gitConfig(ctx, "--global", "--add", e.key, e.value); err != nil {
			return err
		}
	}
	if withPath {
		return r.gitConfig(ctx, "--global", "--replace-all", prefix+"useHttpPath", "true")
	}
	return nil
}

// helperApplies reports whether key is credential.helper or a
// credential.<pattern>.helper whose pattern covers remote; pattern is ""
// for credential.helper.
func helperApplies(key string, remote *url.URL) (pattern string, ok bool) {
	if strings.EqualFold(key, "credential.helper") {
		return "", true
	}
	rest, ok := strings.CutPrefix(key, "credential.")
	if !ok {
		return "", false
	}
	pattern, ok = strings.CutSuffix(rest, ".helper")
	if !ok || pattern == "" {
		return "", false
	}
	if !strings.Contains(pattern, "://") {
		// git also matches a bare host[/path] against any scheme.
		pattern = remote.Scheme + "://" + pattern
	}
	return pattern, gitconfig.Covers(pattern, remote)
}

// warnOtherHelpers names, on stderr, each other credential helper git
// config has for remote and what it does there: one before our reset no
// longer runs for it; one after (a repository's own config, another
// file) still gets every token.
func (r *run) warnOtherHelpers(ctx context.Context, remote, helper string) {
	r.warnHelpers(ctx, "configure", remote, helper, false)
}

// warnHelpers is warnOtherHelpers for cmd; lateOnly leaves out the
// helpers the reset already covers (login says only what still runs).
func (r *run) warnHelpers(ctx context.Context, cmd, remote, helper string, lateOnly bool) {
	es, err := r.listConfig(ctx)
	if err != nil {
		r.msg.tracef("configure: list the git config: %v", err)
		return
	}
	rem, _ := url.Parse(remote)
	reset := -1
	for i, e := range es {
		if strings.EqualFold(e.key, "credential."+remote+".helper") && e.value == "" {
			reset = i
		}
	}
	for i, e := range es {
		pattern, ok := helperApplies(e.key, rem)
		if !ok || e.value == "" || (e.value == helper && pattern == remote) {
			continue
		}
		name := fmt.Sprintf("%s=%s (%s config, %s)", e.key, e.value, e.scope, strings.TrimPrefix(e.origin, "file:"))
		if i < reset {
			if lateOnly {
				continue
			}
			r.msg.errorf("%s: note: %s no longer runs for %s (the empty credential.%s.helper entry resets it); elsewhere it %s", cmd, name, remote, remote, helperDoes(e.value))
			continue
		}
		r.msg.errorf("%s: warning: %s comes after the reset and still runs for %s: it %s; remove it (git config --%s --unset-all %s) or run configure again after it", cmd, name, remote, helperDoes(e.value), e.scope, e.key)
	}
}

// helperDoes says what another credential helper does with the tokens.
func helperDoes(value string) string {
	name := strings.TrimPrefix(value, "!")
	if f := strings.Fields(name); len(f) > 0 {
		name = f[0]
	}
	name = strings.TrimPrefix(filepath.Base(name), "git-credential-")
	switch name {
	case "store":
		return "copies every token to ~/.git-credentials in plain text and answers it after it expired or was revoked"
	case "cache":
		return "keeps every token in memory for its timeout and answers it after it expired or was revoked"
	case "osxkeychain", "manager", "manager-core", "libsecret", "wincred", "gnome-keyring":
		return "copies every token to the system keychain and answers it after it expired or was revoked"
	}
	return "receives every token git approves and may answer one after it expired or was revoked"
}
