package cli

import (
	"context"
	"strings"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/fastpath"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

// lockRemote takes the lock of the remote k belongs to: one lock for all
// records of (protocol, host, key path) whatever their username, since a
// request without a username (or with the git username a record gives) is
// answered from, and may rewrite, a record kept under another key. Every
// read-modify-write of records takes it.
func lockRemote(ctx context.Context, st *tokenstore.Store, k tokenstore.Key) (func(), error) {
	k.Username = ""
	return st.Lock(ctx, k)
}

// complete fills in what the CLI owns in a record.
func (r *run) complete(rec *tokenstore.Record, key tokenstore.Key, t *target) {
	rec.Key = key
	if rec.Kind == "" {
		rec.Kind = t.kind
	}
	if rec.Grant == "" {
		rec.Grant = t.settings.Grant
	}
	rec.RefreshMargin = t.margin
	rec.AuthType = strings.ToLower(t.settings.AuthType)
	rec.Identity = identity(t)
	rec.Updated = time.Time{}
}

// findRecordAt is findRecord restricted to records kept for exactly the
// context path keyPath: the slow path's record, never a host-wide or
// other remote's one.
func findRecordAt(recs []*tokenstore.Record, protocol, host, keyPath, username string) *tokenstore.Record {
	var at []*tokenstore.Record
	for _, rec := range recs {
		if rec.Key.Path == keyPath {
			at = append(at, rec)
		}
	}
	return fastpath.Find(at, protocol, host, keyPath, username)
}

// storedRecord picks the record the slow path starts from: the one kept
// for t's context path and o's user, unless a login may not reuse it or
// it was minted for another identity (then it is revoked, best effort).
// key is the store key to write under: the record's when there is one.
func (r *run) storedRecord(ctx context.Context, t *target, recs []*tokenstore.Record, o obtainRequest, key tokenstore.Key) (*tokenstore.Record, tokenstore.Key) {
	prev := findRecordAt(recs, t.protocol, t.host, t.keyPath, o.username)
	if prev != nil && o.login && o.username == "" && prev.Key.Username != "" {
		// A login that names no user may sign in as anyone: another
		// account's record is not its to reuse, nor to overwrite.
		r.msg.tracef("slow path: login without a user name: not reusing %s", prev.Key)
		prev = nil
	}
	if prev != nil {
		key = prev.Key
		r.red.add(prev.Secrets()...)
		if id := identity(t); !sameIdentity(prev, t, id) {
			// Settings changed through plain git config: the record's
			// refresh token or OAuth 1 token belongs to another identity.
			r.msg.tracef("slow path: %s was minted for %s, now %s: starting over", key, orNone(prev.Identity), id)
			r.revokeWith(ctx, t, prev)
			prev = nil
		}
	}
	return prev, key
}
