package fastpath

import (
	"net/url"
	"strings"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

// Find picks the record answering for (protocol, host, path, username):
// tokenstore.Select, the one rule every reader of the store follows.
func Find(recs []*tokenstore.Record, protocol, host, path, username string) *tokenstore.Record {
	return tokenstore.Select(recs, protocol, host, path, username)
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
