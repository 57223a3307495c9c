package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/bbcred/git-credential-bitbucket/helper/grant"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

// errNotConfigured: a stored record whose remote is configured no more;
// nothing on the server can be revoked for it.
var errNotConfigured = errors.New("the remote is not configured any more")

func (r *run) logout(ctx context.Context, args []string) int {
	fs := flag.NewFlagSet("logout", flag.ContinueOnError)
	u, code, ok := r.commandRemote("logout", fs, args, remoteDefault)
	if !ok {
		return code
	}
	st, recs, err := r.storedRecords(true)
	if err != nil {
		return r.commandErr("logout", err)
	}
	origin := remoteDisplay(u.Scheme, u.Host, commandPath(u))
	var report strings.Builder
	n := 0
	for _, rec := range recs {
		k := rec.Key
		if !concerns(rec, u) {
			continue
		}
		r.red.add(rec.Secrets()...)
		lctx, cancel := context.WithTimeout(ctx, DefaultTimeout)
		unlock, err := lockRemote(lctx, st, k)
		cancel()
		if err != nil {
			return r.commandErr("logout", err)
		}
		// Revoke what the store holds now: a get may have minted anew
		// since the list was read.
		if cur, gerr := st.Get(k); gerr == nil && cur != nil {
			r.red.add(cur.Secrets()...)
			writeLogoutReport(&report, cur, r.revoke(ctx, cur))
		}
		err = st.Delete(k)
		unlock()
		if err != nil {
			return r.commandErr("logout", err)
		}
		n++
	}
	if n == 0 {
		fmt.Fprintf(r.stdout, "No tokens stored for %s.\n", origin)
		return exitOK
	}
	fmt.Fprintf(r.stdout, "Logged out of %s: forgot %d stored token record(s).\n", origin, n)
	io.WriteString(r.stdout, termText(r.red.redact(report.String())))
	return exitOK
}

// writeLogoutReport says, for one record, what was revoked on the server,
// what was only forgotten here and what stays, with where to end it.
// revokeErr is what revoking on the server returned.
func writeLogoutReport(w io.Writer, rec *tokenstore.Record, revokeErr error) {
	fmt.Fprintf(w, "%s (grant %s):\n", rec.Key, orNone(rec.Grant))
	var revoked, forgotten, stays []string
	minted := rec.MintedTokenID != ""
	if minted {
		tok := fmt.Sprintf("the HTTP access token %s of %s", rec.MintedTokenID, orNone(rec.MintedTokenUser))
		if revokeErr == nil {
			revoked = append(revoked, tok)
		} else {
			stays = append(stays, fmt.Sprintf("%s: it could not be revoked (%v); delete it in Bitbucket under %s's Manage account → HTTP access tokens", tok, revokeErr, orNone(rec.MintedTokenUser)))
		}
	}
	if rec.AccessToken != "" && !minted {
		forgotten = append(forgotten, "the access token")
		switch {
		case rec.Grant == grant.Static:
			stays = append(stays, "the token you created works until it expires or you revoke it in Bitbucket (API tokens, access tokens or HTTP access tokens)")
		case !rec.Expiry.IsZero():
			stays = append(stays, "the access token works on the server until it expires at "+expiryText(rec.Expiry))
		}
	}
	if rec.RefreshToken != "" {
		forgotten = append(forgotten, "the refresh token")
		if rec.Kind == grant.KindCloud {
			stays = append(stays, "your authorization of the OAuth consumer, in your Bitbucket account, until you revoke it there; it is unused from now on")
		}
	}
	if rec.OAuth1Token != "" {
		forgotten = append(forgotten, "the OAuth 1 access token")
		who := "the user"
		if rec.Account != "" {
			who = rec.Account
		}
		stays = append(stays, fmt.Sprintf("the OAuth 1 authorization, under %s's profile → Authorized applications on the server until revoked there (or it expires at %s)", who, expiryText(rec.OAuth1Expiry)))
	}
	for _, l := range []struct {
		what  string
		items []string
	}{{"revoked on the server", revoked}, {"forgotten here only", forgotten}, {"stays", stays}} {
		for _, it := range l.items {
			fmt.Fprintf(w, "  %-22s %s\n", l.what+":", it)
		}
	}
}
