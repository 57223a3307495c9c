package cli

import (
	"context"
	"fmt"
	"github.com/bbcred/git-credential-bitbucket/helper/fastpath"
	"net/url"
	"strings"

	"github.com/bbcred/git-credential-bitbucket/helper/gitconfig"
)

// Context paths. Bitbucket Server/DC may be served under a path
// (https://host/bitbucket), with git's URLs below it
// (https://host/bitbucket/scm/proj/repo.git). git sends a path only when
// credential.<url>.useHttpPath is true, which configure sets for a URL with
// a path. The helper keeps one token per remote, not per repository: the
// store key's Path and the URL the settings are read for are the remote's
// context path, never the repository path.

// checkContextPath refuses a path git sent with dot segments, also
// percent-encoded ("bitbucket/%2e%2e/other/scm/p/r.git" is /other on the
// server, but its string prefix is /bitbucket: issue 10 point 9). Record
// and settings matching is on whole "/" segments (pathCovers, findRecord).
func checkContextPath(path string) error {
	if fastpath.HasDotSegments(path) {
		return fmt.Errorf("refusing path %q: it has dot segments", oneLine(path))
	}
	return nil
}

// scmContextPath returns the part of path before its "scm" segment
// ("bitbucket/scm/proj/widgets.git" → "bitbucket", "scm/p/r.git" → "");
// ok is false when path has no such segment.
func scmContextPath(path string) (string, bool) {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for i, s := range segs {
		if s == "scm" {
			return strings.Join(segs[:i], "/"), true
		}
	}
	return "", false
}

// keyPath is the context path of a request's path: the part before "scm/"
// when there is one, else the path of the most specific bitbucket.<url>
// configured with kind or grant, or GIT_CREDENTIAL_BITBUCKET_URL entry,
// that covers it ("" when none has a path).
func (r *run) keyPath(protocol, host, path string, entries []gitconfig.Entry, envURLs []*url.URL) string {
	path = strings.Trim(path, "/")
	if path == "" {
		return ""
	}
	if cp, ok := scmContextPath(path); ok {
		return cp
	}
	var urls []string
	for _, e := range entries {
		if e.URL != "" && (e.Var == "kind" || e.Var == "grant") {
			urls = append(urls, e.URL)
		}
	}
	for _, u := range envURLs {
		urls = append(urls, u.String())
	}
	return configuredPath(urls, protocol, host, path)
}

// configEntries lists the bitbucket.* keys of git config (one git call).
func (r *run) configEntries(ctx context.Context) ([]gitconfig.Entry, error) {
	ctx, cancel := context.WithTimeout(ctx, DefaultTimeout)
	defer cancel()
	return gitconfig.Entries(ctx, r.git(), r.env)
}

// configuredPath picks, from the URLs of bitbucket.<url>.* keys, the
// longest URL path that matches protocol and host and is a prefix of path
// on "/" boundaries (git's urlmatch rule).
func configuredPath(urls []string, protocol, host, path string) string {
	best := ""
	for _, raw := range urls {
		u, err := url.Parse(raw)
		if err != nil || !strings.EqualFold(u.Scheme, protocol) || !sameHost(u.Scheme, u.Host, host) {
			continue
		}
		p := strings.Trim(u.Path, "/")
		if p != "" && pathCovers(p, path) && len(p) > len(best) {
			best = p
		}
	}
	return best
}

// sameHost compares hosts as git's URL normalisation does: case-blind,
// the scheme's default port dropped.
func sameHost(scheme, a, b string) bool {
	norm := func(h string) string {
		h = strings.ToLower(h)
		switch strings.ToLower(scheme) {
		case "https":
			h = strings.TrimSuffix(h, ":443")
		case "http":
			h = strings.TrimSuffix(h, ":80")
		}
		return h
	}
	return norm(a) == norm(b)
}

// pathCovers reports whether prefix is "" or path itself or a parent of
// path on "/" boundaries (paths without surrounding slashes).
func pathCovers(prefix, path string) bool {
	return prefix == "" || path == prefix || strings.HasPrefix(path, prefix+"/")
}

// pathsRelated reports whether a record kept for recPath concerns a user
// command given urlPath: one covers the other. "logout https://host"
// covers every context path on the host; "logout https://host/bitbucket"
// also covers a host-wide record, which is what answers for /bitbucket
// when nothing more specific is stored.
func pathsRelated(recPath, urlPath string) bool {
	return pathCovers(recPath, urlPath) || pathCovers(urlPath, recPath)
}

// remoteDisplay is scheme://host[/path] for messages.
func remoteDisplay(protocol, host, path string) string {
	s := protocol + "://" + host
	if path = strings.Trim(path, "/"); path != "" {
		s += "/" + path
	}
	return s
}
