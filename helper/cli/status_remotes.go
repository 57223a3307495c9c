package cli

import (
	"context"
	"errors"
	"net/url"
	"strings"

	"github.com/bbcred/git-credential-bitbucket/helper/gitconfig"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

// remoteEntry is a remote status or doctor reports on: its target when
// git config makes it ours (nil otherwise), the error resolving it, and
// the store records that belong to it.
type remoteEntry struct {
	url     *url.URL // scheme://host[/context-path]
	display string
	target  *target
	err     error // resolving the settings failed: a configured but broken remote
	recs    []*tokenstore.Record
}

// configured reports whether the remote is one the helper serves
// (settings that resolve, or that are broken but present).
func (e *remoteEntry) configured() bool {
	var unconf *unconfiguredError
	return e.target != nil || (e.err != nil && !errors.As(e.err, &unconf))
}

// configuredRemotes lists the remotes of every URL-scoped bitbucket.<url>
// key that sets kind or grant, of GIT_CREDENTIAL_BITBUCKET_URL, and
// bitbucket.org when a grant applies to it; wildcard URLs name no remote.
func (r *run) configuredRemotes(ctx context.Context) []*url.URL {
	var raws []string
	entries, err := r.configEntries(ctx)
	if err != nil {
		r.msg.tracef("status: cannot list the bitbucket settings: %v", err)
	}
	for _, e := range entries {
		if e.URL != "" && (e.Var == "kind" || e.Var == "grant") {
			raws = append(raws, e.URL)
		}
	}
	envURLs, _ := gitconfig.EnvURLs(r.env)
	for _, u := range envURLs {
		raws = append(raws, u.String())
	}
	raws = append(raws, DefaultURL)
	var out []*url.URL
	for _, raw := range raws {
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" || strings.Contains(u.Host, "*") || u.User != nil {
			continue
		}
		out = append(out, &url.URL{Scheme: strings.ToLower(u.Scheme), Host: u.Host, Path: strings.Trim(u.Path, "/")})
	}
	return out
}

// statusRemotes gathers the remotes to report: the one named by u, or
// (u nil) every configured remote and every remote the store has records
// for. Each record belongs to one remote.
func (r *run) statusRemotes(ctx context.Context, u *url.URL, recs []*tokenstore.Record) []*remoteEntry {
	if u != nil {
		e := r.remoteEntry(ctx, &url.URL{Scheme: u.Scheme, Host: u.Host, Path: commandPath(u)})
		for _, rec := range recs {
			if concerns(rec, u) {
				e.recs = append(e.recs, rec)
			}
		}
		return []*remoteEntry{e}
	}
	var list []*remoteEntry
	seen := map[string]*remoteEntry{}
	add := func(cand *url.URL) *remoteEntry {
		e := r.remoteEntry(ctx, cand)
		if prev, ok := seen[e.display]; ok {
			return prev
		}
		seen[e.display] = e
		list = append(list, e)
		return e
	}
	for _, cand := range r.configuredRemotes(ctx) {
		e := add(cand)
		if !e.configured() && cand.Host == "bitbucket.org" {
			// bitbucket.org with no grant: listed only with records.
			delete(seen, e.display)
			list = list[:len(list)-1]
		}
	}
	for _, rec := range recs {
		k := rec.Key
		disp := remoteDisplay(k.Protocol, k.Host, k.Path)
		e, ok := seen[disp]
		if !ok {
			e = add(&url.URL{Scheme: k.Protocol, Host: k.Host, Path: k.Path})
		}
		e.recs = append(e.recs, rec)
	}
	return list
}

// remoteEntry resolves one remote; its display is the context path the
// settings resolve to.
func (r *run) remoteEntry(ctx context.Context, u *url.URL) *remoteEntry {
	e := &remoteEntry{url: u, display: remoteDisplay(u.Scheme, u.Host, u.Path)}
	t, err := r.resolve(ctx, u.Scheme, u.Host, u.Path)
	e.target, e.err = t, err
	if t != nil {
		e.url = t.remote
		e.display = t.display()
	}
	return e
}
