package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/fastpath"
	"github.com/bbcred/git-credential-bitbucket/helper/grant"
	"github.com/bbcred/git-credential-bitbucket/helper/static"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

// status reports every configured remote (or the one named) and what the
// store keeps for it, never a secret. Exit 0 when every configured remote
// listed is usable, else 1 naming those that are not. --check asks the
// server about each stored access token (status_check.go); --json prints
// a StatusReport (status_schema.go).
func (r *run) status(ctx context.Context, args []string) int {
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "")
	check := fs.Bool("check", false, "")
	u, code, ok := r.commandRemote("status", fs, args, remoteOptional)
	if !ok {
		return code
	}
	_, recs, err := r.storedRecords(false)
	if err != nil {
		return r.commandErr("status", err)
	}
	for _, rec := range recs {
		r.red.add(rec.Secrets()...)
	}
	rep := StatusReport{SchemaVersion: statusSchemaVersion, Usable: true, Remotes: []StatusRemote{}}
	var bad []string
	for _, e := range r.statusRemotes(ctx, u, recs) {
		sr := r.statusRemote(ctx, e, *check)
		if sr.Configured && !sr.Usable || u != nil && !sr.Usable {
			rep.Usable = false
			bad = append(bad, sr.URL)
		}
		rep.Remotes = append(rep.Remotes, sr)
	}
	var out string
	if *asJSON {
		b, _ := json.MarshalIndent(rep, "", "  ")
		out = string(b) + "\n"
	} else {
		out = r.statusText(rep)
	}
	// Belt and braces: status never prints a secret, even a misfiled one,
	// nor a terminal control a server put in an account name or scopes
	// (in JSON too: the encoder leaves bidi overrides and C1 controls).
	io.WriteString(r.stdout, termText(r.red.redact(out)))
	if len(bad) > 0 {
		r.msg.errorf("status: not usable: %s", strings.Join(bad, ", "))
		return exitFail
	}
	return exitOK
}

// statusRemote evaluates one remote and its records.
func (r *run) statusRemote(ctx context.Context, e *remoteEntry, check bool) StatusRemote {
	sr := StatusRemote{URL: e.display, Configured: e.configured(), Records: []StatusRecord{}}
	t := e.target
	if t != nil {
		sr.Kind, sr.Grant = t.kind, t.settings.Grant
	}
	good := false
	var rejected string
	refused, unreachable := false, ""
	for _, rec := range e.recs {
		srec := r.statusRecord(ctx, t, rec, check)
		refused = refused || !rec.RefreshRefused.IsZero()
		switch srec.AccessToken.Check {
		case "rejected":
			rejected = rec.Key.String()
		case "unreachable":
			unreachable = srec.AccessToken.CheckDetail
		}
		if !srec.Stale && recordServes(rec, srec, r.now()) {
			good = true
		}
		sr.Records = append(sr.Records, srec)
	}
	switch {
	case e.err != nil:
		sr.Problem = oneLine(e.err.Error())
	case t == nil:
		sr.Problem = fmt.Sprintf("not configured as a Bitbucket remote; run: git-credential-bitbucket configure %s --grant GRANT ... (or forget its tokens: git-credential-bitbucket logout %s)", e.display, e.display)
	case rejected != "" && t.settings.Grant == grant.Static:
		sr.Problem = fmt.Sprintf("the server rejected the static token of %s (revoked or expired on the server); create a new one and run: %s", rejected, static.ReplaceCommand(e.display))
	case unreachable != "":
		sr.Problem = unreachable + "; git cannot reach it either"
	case rejected != "":
		sr.Problem = fmt.Sprintf("the server rejected the stored access token of %s (revoked, or its user lost access); git says only \"Authentication failed\"; run: git-credential-bitbucket login %s", rejected, e.display)
	case good, !grant.IsInteractive(t.settings.Grant) && t.settings.Grant != grant.Static:
		// A grant that needs no person gets a token on the next git command.
		sr.Usable = true
	case refused:
		sr.Problem = fmt.Sprintf("Bitbucket refused the stored refresh token (used elsewhere, revoked, or unused for 90 days); run: git-credential-bitbucket login %s", e.display)
	case t.settings.Grant == grant.Static:
		sr.Problem = fmt.Sprintf("no unexpired static token is stored; create one and run: %s", static.ReplaceCommand(e.display))
	default:
		sr.Problem = fmt.Sprintf("no usable token is stored and %s needs a person; run: git-credential-bitbucket login %s", t.settings.Grant, e.display)
	}
	return sr
}

// recordServes reports whether rec lets git in without a person: an
// access token that has not expired (and that a check did not reject), a
// refresh token Bitbucket has not refused, or an OAuth 1 login to mint
// from.
func recordServes(rec *tokenstore.Record, s StatusRecord, now time.Time) bool {
	switch {
	case s.AccessToken.State == "valid" || s.AccessToken.State == "unknown-expiry":
		return true
	case rec.Grant == grant.Static:
		return false
	case rec.RefreshToken != "" && rec.RefreshRefused.IsZero():
		return true
	}
	return rec.OAuth1Token != "" && (rec.OAuth1Expiry.IsZero() || now.Before(rec.OAuth1Expiry))
}

// statusRecord describes one record; t is nil for a remote no longer
// configured.
func (r *run) statusRecord(ctx context.Context, t *target, rec *tokenstore.Record, check bool) StatusRecord {
	s := StatusRecord{
		Key: rec.Key.String(), Kind: rec.Kind, Grant: rec.Grant, MintedFor: rec.Identity,
		GitUsername: rec.GitUsername, Scopes: rec.Scopes, Updated: timeText(rec.Updated),
		Account:      r.account(ctx, t, rec),
		AccessToken:  StatusAccess{State: accessState(rec, r.now()), Expiry: timeText(rec.Expiry), Check: "not-checked"},
		RefreshToken: StatusRefresh{Stored: rec.RefreshToken != "", LastUsed: timeText(rec.RefreshUsed), RefusedAt: timeText(rec.RefreshRefused)},
	}
	if s.Account == "(none)" {
		s.Account = ""
	}
	// What a server named reaches the terminal, and JSON readers, without
	// controls (the JSON encoder would only escape some of them).
	s.Account, s.Scopes, s.GitUsername, s.MintedFor = safeField(s.Account), safeField(s.Scopes), safeField(s.GitUsername), safeField(s.MintedFor)
	if grant.IsOAuth1(rec.Grant) {
		s.OAuth1 = &StatusOAuth1{TokenHeld: rec.OAuth1Token != "", TokenExpiry: timeText(rec.OAuth1Expiry),
			MintedTokenID: safeField(rec.MintedTokenID), MintedTokenUser: safeField(rec.MintedTokenUser)}
	}
	switch {
	case t == nil:
		s.Stale, s.StaleReason = true, "its remote is no longer configured: git still gets this token until it expires; run: git-credential-bitbucket logout "+remoteDisplay(rec.Key.Protocol, rec.Key.Host, rec.Key.Path)
	case !sameIdentity(rec, t, identity(t)):
		s.Stale, s.StaleReason = true, fmt.Sprintf("obtained for %s, but git config now says %s: git gets this token until it nears expiry, then one for the new settings; to switch now run: git-credential-bitbucket login %s",
			orNone(rec.Identity), identity(t), t.display())
	}
	if check && t != nil {
		s.AccessToken.Check, s.AccessToken.CheckDetail = r.checkToken(ctx, t, rec)
		s.AccessToken.CheckDetail = safeField(s.AccessToken.CheckDetail)
		if s.AccessToken.Check == "rejected" {
			s.AccessToken.State = "rejected"
		}
	}
	return s
}

// accessState is StatusAccess.State before any check.
func accessState(rec *tokenstore.Record, now time.Time) string {
	switch {
	case rec.AccessToken == "":
		return "none"
	case rec.Expiry.IsZero():
		return "unknown-expiry"
	case !now.Before(rec.Expiry):
		return "expired"
	}
	return "valid"
}

func timeText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// account names the account rec acts for: asked from the provider when
// the token is valid (the provider knows which scope allows it), else what
// the record remembers.
func (r *run) account(ctx context.Context, t *target, rec *tokenstore.Record) string {
	if t != nil && fastpath.Fresh(rec, r.now(), 0) {
		env, closeEnv := r.authEnv(t, obtainRequest{username: rec.Key.Username})
		defer closeEnv()
		actx, cancel := context.WithTimeout(ctx, t.timeout)
		defer cancel()
		a, err := t.provider.Account(actx, env, rec)
		if err == nil && a != "" {
			return a
		}
		if err != nil {
			r.msg.tracef("status: account: %v", err)
		}
	}
	return orNone(rec.Account)
}

// safeField replaces every termUnsafe rune of a value (line breaks
// included) with "?".
func safeField(v string) string {
	return strings.Map(func(c rune) rune {
		if termUnsafe(c) {
			return '?'
		}
		return c
	}, v)
}
