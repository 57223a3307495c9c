package datacenter

import (
	"errors"
	"fmt"
	"github.com/bbcred/git-credential-bitbucket/helper/grant"
	"github.com/bbcred/git-credential-bitbucket/helper/internal/loopback"
	"github.com/bbcred/git-credential-bitbucket/helper/internal/termsafe"
	"net/url"
	"strings"

	"github.com/bbcred/git-credential-bitbucket/helper/gitconfig"
)

// BaseURL is the base every Server/DC URL is built on:
// scheme://host[:port][/context-path] without a trailing slash.
// bitbucket.apiURL wins when set; otherwise it is remote with any
// repository part ("/scm/...") cut off, user info, query and fragment
// dropped. Plain http is accepted only for loopback hosts.
func BaseURL(remote *url.URL, s *gitconfig.Settings) (*url.URL, error) {
	var u *url.URL
	switch {
	case s != nil && s.APIURL != "":
		p, err := url.Parse(s.APIURL)
		if err != nil || p.Host == "" {
			return nil, fmt.Errorf("bitbucket.apiURL %q is not an absolute URL", s.APIURL)
		}
		u = p
	case remote != nil && remote.Host != "":
		v := *remote
		u = &v
	default:
		return nil, errors.New("bitbucket server: no remote URL and no bitbucket.apiURL")
	}
	out := &url.URL{Scheme: strings.ToLower(u.Scheme), Host: u.Host}
	if out.Scheme != "https" && out.Scheme != "http" {
		return nil, fmt.Errorf("bitbucket server: unsupported scheme %q (want https)", u.Scheme)
	}
	if out.Scheme == "http" && !loopback.Is(u.Hostname()) {
		return nil, fmt.Errorf("bitbucket server: plain http is refused for %s (use https)", u.Host)
	}
	if cp := ContextPath(u.Path); cp != "" {
		out.Path = "/" + cp
	}
	return out, nil
}

// ContextPath returns the context path of a Bitbucket Server URL path as
// git sends it (with or without a leading slash): the part before the
// "scm" segment ("bitbucket/scm/proj/repo.git" → "bitbucket"), or the
// whole path without surrounding slashes when there is no "scm" segment
// (a configured base such as "/bitbucket/").
func ContextPath(path string) string {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for i, s := range segs {
		if s == "scm" {
			return strings.Join(segs[:i], "/")
		}
	}
	return strings.Trim(path, "/")
}

// IsServerChallenge reports whether one of git's wwwauth[] values is
// Bitbucket Server/DC's git challenge, `Basic realm="Atlassian Bitbucket"`
// (docs/bitbucket-behaviour.md#dc-git), so that the CLI can suggest `configure`.
func IsServerChallenge(wwwauth []string) bool {
	for _, w := range wwwauth {
		scheme, params, _ := strings.Cut(strings.TrimSpace(w), " ")
		if !strings.EqualFold(scheme, "Basic") {
			continue
		}
		for _, p := range strings.Split(params, ",") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "realm") &&
				strings.Trim(strings.TrimSpace(v), `"`) == "Atlassian Bitbucket" {
				return true
			}
		}
	}
	return false
}

// ChallengeHint is the one line for a remote that answered with Bitbucket
// Server's challenge but is not configured. remote is the base URL to
// configure; contextKnown says whether it came from a path git sent (the
// part before /scm/). When it did not, Bitbucket may still be served under
// a context path git did not show us, and the line says to include it.
func ChallengeHint(remote string, contextKnown bool) string {
	target, note := remote, ""
	if !contextKnown {
		target = remote + "[/<context-path>]"
		note = " (include the context path, e.g. /bitbucket, if Bitbucket is served under one)"
	}
	return fmt.Sprintf("%s answered as Bitbucket Server/Data Center, which is not configured for this helper; to use it, run: git-credential-bitbucket configure %s --grant %s ...%s", remote, target, strings.Join(grant.Of(grant.KindServer, grant.KindDataCenter), "|"), note)
}

// endpoint joins path segments to the base, each segment escaped on its
// own: a "/" in one is %2F, and nothing is cleaned away (url.JoinPath
// would resolve a ".." segment). Segments from outside (user slugs) go
// through checkSlug first.
func endpoint(base *url.URL, segs ...string) *url.URL {
	u := *base
	path, raw := strings.TrimSuffix(base.Path, "/"), strings.TrimSuffix(base.EscapedPath(), "/")
	for _, s := range segs {
		path += "/" + s
		raw += "/" + url.PathEscape(s)
	}
	u.Path, u.RawPath = path, raw
	return &u
}

// checkSlug refuses a user slug that is not one path segment (issue 10
// point 9): empty, holding "/" or "\\", a dot segment, or a control
// character. The slug comes from git's URL, the configuration or the
// server's X-AUSERNAME.
func checkSlug(slug string) error { return checkSegment("user slug", slug) }

// checkSegment refuses a value (what names it) that is not one path
// segment.
func checkSegment(what, slug string) error {
	switch {
	case slug == "" || slug == "." || slug == "..":
		return fmt.Errorf("%s %q is not one path segment", what, termsafe.Line(slug))
	case strings.ContainsAny(slug, "/\\"):
		return fmt.Errorf("%s %q holds a slash", what, termsafe.Line(slug))
	}
	for _, r := range slug {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("%s %q holds a control character", what, termsafe.Line(slug))
		}
	}
	return nil
}
