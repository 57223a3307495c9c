package cli

import (
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/fastpath"

	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

// fastPath returns a stored token for the request that stays valid for the
// margin, without running git or touching the network: the margin is the
// environment override, else the one the record was written with, else
// the default. Nil when there is none (or the store cannot be read: the
// slow path reports that).
func (r *run) fastPath(protocol, host, path, username string) *tokenstore.Record {
	if _, ok := fastpath.Origin(protocol, host, ""); !ok {
		return nil
	}
	st, err := r.tokenStore()
	if err != nil {
		return nil
	}
	recs, err := st.List()
	if err != nil {
		r.msg.tracef("fast path: %v", err)
		return nil
	}
	margin, _ := r.env.duration("REFRESH_MARGIN")
	res := fastpath.Decide(recs, fastpath.Request{Protocol: protocol, Host: host, Path: path, Username: username}, r.now(), margin)
	if res.Found != nil {
		r.red.add(res.Found.Secrets()...)
	}
	r.msg.tracef("fast path: %s", res.Why)
	if res.StaticWarn {
		r.warnStaticExpiry(res.Record, r.now())
	}
	return res.Record
}

func expiryText(t time.Time) string { return fastpath.When(t) }
