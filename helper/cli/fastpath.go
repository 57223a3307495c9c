package cli

import (
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

// fresh reports whether rec holds an access token valid for more than margin.
func fresh(rec *tokenstore.Record, now time.Time, margin time.Duration) bool {
	return rec != nil && rec.AccessToken != "" && !rec.Expiry.IsZero() && rec.Expiry.Sub(now) > margin
}

// findRecord picks the record answering for (protocol, host, path,
// username): tokenstore.Select, the one rule every reader follows.
func findRecord(recs []*tokenstore.Record, protocol, host, path, username string) *tokenstore.Record {
	return tokenstore.Select(recs, protocol, host, path, username)
}

// fastPath returns a stored token for the request that stays valid for the
// margin, without running git or touching the network: the margin is the
// environment override, else the one the record was written with, else
// the default. Nil when there is none (or the store cannot be read: the
// slow path reports that).
func (r *run) fastPath(protocol, host, path, username string) *tokenstore.Record {
	if _, ok := remoteURL(protocol, host, ""); !ok {
		return nil
	}
	dir, err := r.storeDir()
	if err != nil {
		return nil
	}
	st := &tokenstore.Store{Dir: dir}
	recs, err := st.List()
	if err != nil {
		r.msg.tracef("fast path: %v", err)
		return nil
	}
	rec := findRecord(recs, protocol, host, path, username)
	if rec == nil {
		r.msg.tracef("fast path: no stored token for %s://%s", protocol, host)
		return nil
	}
	r.red.add(rec.AccessToken, rec.RefreshToken)
	if !impersonationServes(rec, username) {
		r.msg.tracef("fast path: %s was not minted for a user bitbucket.user allowed: asking git config", rec.Key)
		return nil
	}
	if rec.Grant == grantStatic {
		return r.staticFast(rec) // static.go: no margin, an expiry warning
	}
	margin, ok := r.env.duration("REFRESH_MARGIN")
	if !ok {
		margin = rec.RefreshMargin
	}
	if margin <= 0 {
		margin = DefaultRefreshMargin
	}
	if !fresh(rec, r.now(), margin) {
		r.msg.tracef("fast path: stored token for %s expires %s, within the margin %s", rec.Key, expiryText(rec.Expiry), margin)
		return nil
	}
	if keepAliveDue(rec, r.now()) {
		r.msg.tracef("fast path: the refresh token for %s was last used %s: keep-alive", rec.Key, expiryText(rec.RefreshUsed))
		return nil
	}
	r.msg.tracef("fast path: stored token for %s valid until %s", rec.Key, expiryText(rec.Expiry))
	return rec
}

func expiryText(t time.Time) string {
	if t.IsZero() {
		return "(unknown)"
	}
	return t.UTC().Format(time.RFC3339)
}
