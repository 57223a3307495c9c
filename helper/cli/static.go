package cli

import (
	"context"
	"errors"
	"math"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/static"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

// warnStaticExpiry prints the expiry warning and records when, so that the
// next one waits a day. A store that cannot be written only costs a
// repeated warning.
func (r *run) warnStaticExpiry(rec *tokenstore.Record, now time.Time) {
	remote := remoteDisplay(rec.Key.Protocol, rec.Key.Host, rec.Key.Path)
	days := int(math.Ceil(rec.Expiry.Sub(now).Hours() / 24))
	r.msg.errorf("warning: the static token for %s expires on %s (in %d day%s); create a new one and run: %s",
		remote, rec.Expiry.UTC().Format("2006-01-02 15:04 MST"), days, plural(days), static.ReplaceCommand(remote))
	st, err := r.openStore()
	if err != nil {
		r.msg.tracef("static: cannot record the warning: %v", err)
		return
	}
	err = r.underRemoteLock(context.Background(), st, rec.Key, func(cur *tokenstore.Record) *tokenstore.Record {
		if cur.AccessToken != rec.AccessToken {
			return nil // replaced meanwhile
		}
		n := *cur
		n.ExpiryWarned = now
		return &n
	})
	if err != nil {
		r.msg.tracef("static: cannot record the warning: %v", err)
	}
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// staticErased answers git's erase of a static token: the token is kept
// (the helper cannot get another one, and a 401 may be passing), with one
// line saying how to replace it if it was revoked.
func (r *run) staticErased(rec *tokenstore.Record) {
	remote := remoteDisplay(rec.Key.Protocol, rec.Key.Host, rec.Key.Path)
	r.msg.errorf("%s refused the static token (revoked, or without the permission this needs?); it is kept: to replace it, run: %s",
		remote, static.ReplaceCommand(remote))
}

// staticHeaderRefused refuses `token --header` for an API token: REST
// takes it only as Basic with the Atlassian e-mail, never as Bearer
// (docs/bitbucket-behaviour.md#cloud-api-tokens).
func staticHeaderRefused(rec *tokenstore.Record, header bool) error {
	if !header || rec.TokenKind != static.KindAPIToken {
		return nil
	}
	return errors.New("an API token goes to Bitbucket's REST API as Basic with your Atlassian e-mail, not as a Bearer header: curl -u \"EMAIL:$(git-credential-bitbucket token URL)\" ...")
}
