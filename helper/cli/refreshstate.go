package cli

import (
	"fmt"
	"github.com/bbcred/git-credential-bitbucket/helper/fastpath"
	"github.com/bbcred/git-credential-bitbucket/helper/grant"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/cloud"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

// keepAliveDue reports whether rec is a Cloud record whose refresh token
// has gone unused so long that a get spends it although the access token
// is valid (cloud.KeepAliveDue, docs/bitbucket-behaviour.md#cloud-2026: unused ones die at 90 days).
// Both the fast path and the slow path's re-check let such a get through
// to the provider.
func keepAliveDue(rec *tokenstore.Record, now time.Time) bool {
	return rec != nil && rec.Kind == grant.KindCloud && fastpath.KeepAliveDue(rec, now)
}

// refreshText is status's "refresh token" line: stored or none, when it
// was last used (or issued), and whether Bitbucket refused it.
func (r *run) refreshText(rec *tokenstore.Record) string {
	if rec.RefreshToken == "" {
		return "none"
	}
	s := "stored, last use unknown"
	if !rec.RefreshUsed.IsZero() {
		s = fmt.Sprintf("stored, last used %s (%s ago)", expiryText(rec.RefreshUsed), ago(r.now().Sub(rec.RefreshUsed)))
	}
	if !rec.RefreshRefused.IsZero() {
		retry := rec.RefreshRefused.Add(cloud.DefaultRefreshCooldown)
		s += fmt.Sprintf("; refused by Bitbucket at %s, kept, tried again after %s", expiryText(rec.RefreshRefused), expiryText(retry))
	}
	return s
}

// ago renders an elapsed time: days beyond two days, else to the minute.
func ago(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	if d >= 48*time.Hour {
		return fmt.Sprintf("%dd", int(d/(24*time.Hour)))
	}
	return d.Round(time.Minute).String()
}
