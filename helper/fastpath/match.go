package fastpath

import (
	"net/url"
	"strings"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/grant"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

// Find picks the record answering for (protocol, host, path, username),
// the one rule every caller uses: same protocol and host; a record path
// that is empty or a prefix of path on "/" boundaries; the same username,
// or any when username is empty. A record kept for requests without a
// username also answers a request for the username it gives git (a remote
// URL such as https://x-token-auth@bitbucket.org/...). The longest path
// wins, then the latest update.
func Find(recs []*tokenstore.Record, protocol, host, path, username string) *tokenstore.Record {
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
		if username == "" && k.Username != "" && rec.Grant == grant.OAuth1Impersonate {
			// A request without a username gets the configured user's
			// token, never one minted for a user some URL named.
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

// Static tokens (grant static) have no refresh: a warning line once a day
// in their last week (WarnWindow, WarnEvery), and quit once expired.
const (
	StaticWarnWindow = 7 * 24 * time.Hour
	StaticWarnEvery  = 24 * time.Hour
)

// StaticWarnDue reports whether the expiry warning is due now: in the last
// StaticWarnWindow before a known expiry, and not printed in the last
// StaticWarnEvery.
func StaticWarnDue(expiry, warned, now time.Time) bool {
	if expiry.IsZero() || !now.Before(expiry) || expiry.Sub(now) > StaticWarnWindow {
		return false
	}
	return warned.IsZero() || now.Sub(warned) >= StaticWarnEvery || warned.After(now)
}

// StaticExpired reports whether a known expiry has passed.
func StaticExpired(expiry, now time.Time) bool { return !expiry.IsZero() && !now.Before(expiry) }

// HasDotSegments reports whether path has a "." or ".." segment, after up
// to three rounds of percent-decoding (%252e%252e decodes twice, and a
// server may decode as often) and with backslashes read as slashes: such
// a path could name a context the record was not minted for, so nothing
// answers it.
func HasDotSegments(path string) bool {
	p := path
	for range 3 {
		d, err := url.PathUnescape(p)
		if err != nil || d == p {
			break
		}
		p = d
	}
	for _, seg := range strings.Split(strings.ReplaceAll(p, "\\", "/"), "/") {
		if seg == "." || seg == ".." {
			return true
		}
	}
	return false
}
