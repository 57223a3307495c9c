package tokenstore

import (
	"strings"

	"github.com/bbcred/git-credential-bitbucket/helper/grant"
)

// Select is the one rule for which record answers a request for
// (protocol, host, path, username), used by every reader (the CLI's fast
// and slow paths, Store.Find):
//
//   - same protocol and host;
//   - the record's path empty or a prefix of path on "/" boundaries; the
//     longest wins;
//   - a username names the record kept for that account, or one whose git
//     username it is (x-token-auth, OAUTH_USERNAME in a remote URL); no
//     username takes any record, except an impersonation record kept for
//     a user some URL named;
//   - among those, the one Updated last, then the smallest username.
//
// Records are kept under the account a token acts for (the CLI re-keys
// what a login obtained), so two accounts on one host never share one.
func Select(recs []*Record, protocol, host, path, username string) *Record {
	path = strings.Trim(path, "/")
	var best *Record
	for _, rec := range recs {
		k := rec.Key
		if k.Protocol != protocol || k.Host != host {
			continue
		}
		if username != "" && k.Username != username && rec.GitUsername != username {
			continue
		}
		if username == "" && k.Username != "" && rec.Grant == grant.OAuth1Impersonate {
			// Records of impersonation kept for a URL's user never serve a request without one.
			continue
		}
		if k.Path != "" && path != k.Path && !strings.HasPrefix(path, k.Path+"/") {
			continue
		}
		switch {
		case best == nil,
			len(k.Path) > len(best.Key.Path),
			len(k.Path) == len(best.Key.Path) && rec.Updated.After(best.Updated),
			len(k.Path) == len(best.Key.Path) && rec.Updated.Equal(best.Updated) && k.Username < best.Key.Username:
			best = rec
		}
	}
	return best
}
