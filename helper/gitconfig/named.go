package gitconfig

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os/exec"
	"strings"
)

// URLEnv lists the remotes the helper serves besides bitbucket.org and
// those named by URL-scoped keys: one URL or a comma-separated list, for CI
// where the settings come from the environment. Environment and URL-less
// settings never make a host ours (issue 10, point 1): a remote is ours only
// when the user named it.
const URLEnv = EnvPrefix + "URL"

// Entry is one bitbucket.* key in git config: URL is the <url> of a
// URL-scoped bitbucket.<url>.<var> key ("" for a URL-less bitbucket.<var>),
// Var its variable lowercased, Origin where git read it ("file:/home/u/.gitconfig",
// "command line:").
type Entry struct {
	URL, Var, Origin string
}

// Entries lists every bitbucket.* key of the git config that applies in
// the current directory, names and origins only (values are not read),
// with one `git config -z --name-only --show-origin --get-regexp` call.
func Entries(ctx context.Context, git string, env []string) ([]Entry, error) {
	if git == "" {
		git = "git"
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, git, "config", "-z", "--name-only", "--show-origin", "--get-regexp", `^bitbucket\.`)
	if env != nil {
		cmd.Env = env
	}
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		return nil, fmt.Errorf("git config: %w", ctx.Err())
	case err == nil:
	case errors.As(err, &exit) && exit.ExitCode() == 1 && stdout.Len() == 0 && stderr.Len() == 0:
		return nil, nil // no bitbucket.* key at all
	case errors.As(err, &exit):
		msg, _, _ := strings.Cut(strings.TrimSpace(stderr.String()), "\n")
		return nil, fmt.Errorf("git config --get-regexp bitbucket: %s (%v)", msg, exit)
	default:
		return nil, fmt.Errorf("run git config: %w", err)
	}
	return parseEntries(stdout.Bytes()), nil
}

// parseEntries reads `--name-only --show-origin -z` output: origin NUL
// name NUL, repeated.
func parseEntries(out []byte) []Entry {
	parts := strings.Split(string(out), "\x00")
	var es []Entry
	for i := 0; i+1 < len(parts); i += 2 {
		name, ok := strings.CutPrefix(parts[i+1], "bitbucket.")
		if !ok || name == "" {
			continue
		}
		e := Entry{Origin: parts[i]}
		if j := strings.LastIndex(name, "."); j >= 0 {
			e.URL, e.Var = name[:j], strings.ToLower(name[j+1:])
		} else {
			e.Var = strings.ToLower(name)
		}
		es = append(es, e)
	}
	return es
}

// EnvURLs parses GIT_CREDENTIAL_BITBUCKET_URL from env: absolute http(s)
// URLs with a host and no user, query or fragment. Unset: none.
func EnvURLs(env []string) ([]*url.URL, error) {
	v, ok := lookupEnv(env, URLEnv)
	if !ok {
		return nil, nil
	}
	var us []*url.URL
	for _, raw := range strings.Split(v, ",") {
		raw = strings.TrimSpace(raw)
		if raw == "" {
			continue
		}
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" ||
			u.User != nil || u.RawQuery != "" || u.Fragment != "" {
			return nil, fmt.Errorf("invalid %s entry %q: want an http(s) URL such as https://bitbucket.example.com", URLEnv, oneLineQuote(raw))
		}
		us = append(us, u)
	}
	return us, nil
}

func oneLineQuote(s string) string {
	q := fmt.Sprintf("%q", s)
	return q[1 : len(q)-1]
}

// Covers reports whether the URL of a config key (or a URLEnv entry),
// pattern, applies to remote (scheme://host[:port][/path], no user) the
// way git matches http.<url>.* keys (git-config(1)): same scheme, same
// host (case-blind, the default port implied, "*" matching within one
// label), no user name in the pattern, and the pattern's path a prefix of
// remote's on "/" boundaries.
func Covers(pattern string, remote *url.URL) bool {
	p, err := url.Parse(pattern)
	if err != nil || p.User != nil || p.Host == "" || !strings.EqualFold(p.Scheme, remote.Scheme) {
		return false
	}
	if !hostMatches(p.Scheme, p.Host, remote.Host) {
		return false
	}
	pp, rp := strings.Trim(p.Path, "/"), strings.Trim(remote.Path, "/")
	return pp == "" || pp == rp || strings.HasPrefix(rp, pp+"/")
}

// hostMatches compares host[:port] pattern and host, labels matched one by
// one so that "*.example.com" covers "git.example.com" and nothing deeper.
func hostMatches(scheme, pattern, host string) bool {
	pattern, host = normHost(scheme, pattern), normHost(scheme, host)
	pl, hl := strings.Split(pattern, "."), strings.Split(host, ".")
	if len(pl) != len(hl) {
		return false
	}
	for i := range pl {
		if !starMatch(pl[i], hl[i]) {
			return false
		}
	}
	return true
}

func normHost(scheme, h string) string {
	h = strings.ToLower(h)
	switch strings.ToLower(scheme) {
	case "https":
		h = strings.TrimSuffix(h, ":443")
	case "http":
		h = strings.TrimSuffix(h, ":80")
	}
	return h
}

// starMatch matches s against pattern where "*" stands for any run of
// characters (git's urlmatch wildcard; no other metacharacters).
func starMatch(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for _, mid := range parts[1 : len(parts)-1] {
		i := strings.Index(s, mid)
		if i < 0 {
			return false
		}
		s = s[i+len(mid):]
	}
	return strings.HasSuffix(s, parts[len(parts)-1])
}

// Named reports whether the user named remote: a URL-scoped key among
// entries, or a URLEnv entry, covers it. bitbucket.org is the caller's
// business (it is always ours).
func Named(entries []Entry, envURLs []*url.URL, remote *url.URL) bool {
	for _, e := range entries {
		if e.URL != "" && Covers(e.URL, remote) {
			return true
		}
	}
	for _, u := range envURLs {
		if Covers(u.String(), remote) {
			return true
		}
	}
	return false
}
