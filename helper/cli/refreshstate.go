package cli

import (
	"fmt"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/fastpath"
	"github.com/bbcred/git-credential-bitbucket/helper/grant"
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
