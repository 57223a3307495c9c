package cli

import (
	"context"
	"fmt"
	"net/url"
	"strings"
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
	p := path
	for range 3 { // %252e%252e decodes twice; a server may decode as often
		d, err := url.PathUnescape(p)
		if err != nil || d == p {
			break
		}
		p = d
	}
	for _, seg := range strings.Split(strings.ReplaceAll(p, "\\", "/"), "/") {
		if seg == "." || seg == ".." {
			return fmt.Errorf("refusing path %q: it has dot segments", oneLine(path))
		}
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
// configured with kind or grant that covers it ("" when none has a path).
// Only the second case runs git (one `git config --get-regexp`), and only
// when git sent a path.
func (r *run) keyPath(ctx context.Context, protocol, host, path string) string {
	path = strings.Trim(path, "/")
	if path == "" {
		return ""
	}
	if cp, ok := scmContextPath(path); ok {
		return cp
	}
	ctx, cancel := context.WithTimeout(ctx, DefaultTimeout)
	defer cancel()
	out, err := r.gitOutput(ctx, "config", "-z", "--get-regexp", `^bitbucket\..*\.(kind|grant)$`)
	if err != nil {
		r.msg.tracef("no bitbucket.<url>.kind or grant with a path (%v)", err)
		return ""
	}
	return configuredPath(out, protocol, host, path)
}

// configuredPath picks, from `git config -z --get-regexp` output of
// bitbucket.<url>.<var> keys, the longest URL path that matches protocol
// and host and is a prefix of path on "/" boundaries (git's urlmatch rule).
func configuredPath(out, protocol, host, path string) string {
	best := ""
	for _, entry := range strings.Split(out, "\x00") {
		key, _, _ := strings.Cut(entry, "\n")
		name, ok := strings.CutPrefix(key, "bitbucket.")
		i := strings.LastIndex(name, ".")
		if !ok || i < 0 {
			continue
		}
		u, err := url.Parse(name[:i])
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
