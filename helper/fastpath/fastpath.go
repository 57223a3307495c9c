// Package fastpath decides, from the token store alone, whether a stored
// token answers git's get: no git config, no network, no lock. It is the
// one definition of "this stored token is fresh" and of which record
// serves which request. The CLI's get runs it first; the fast front
// (cmd/git-credential-bitbucket-fast) is it alone, so that what git runs
// on every fetch links only this package, gitcred, tokenstore and grant.
package fastpath

import (
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/gitconfig"
	"github.com/bbcred/git-credential-bitbucket/helper/gitcred"
	"github.com/bbcred/git-credential-bitbucket/helper/grant"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

// DefaultRefreshMargin is how long before its expiry a stored access token
// stops being served and is refreshed: git may spend that long on one
// fetch (bitbucket.refreshMargin overrides it per remote). The name every
// package uses; the value is the key's default in gitconfig.
const DefaultRefreshMargin = gitconfig.DefaultRefreshMargin

// KeepAliveAfter is how long a Cloud refresh token may go unused before a
// get spends it although the access token is still valid: unused ones die
// at 90 days (docs/bitbucket-behaviour.md#cloud-2026).
const KeepAliveAfter = 60 * 24 * time.Hour

// Request is what of git's request the decision reads.
type Request struct {
	Protocol, Host, Path, Username string
}

// Result is the decision: Record answers git, or, nil, the slow path
// decides. Why says which, for the trace (never a secret).
type Result struct {
	Record *tokenstore.Record
	// Found is the record the request matched, served or not: its
	// secrets are the ones a caller's messages might come near.
	Found *tokenstore.Record
	Why   string
	// StaticWarn is set with a static token in its last week whose daily
	// expiry warning is due: the caller prints it and records when.
	StaticWarn bool
}

// Decide picks the stored token that answers req at now. margin is the
// environment's override of the refresh margin (zero: the one the record
// was written with, else DefaultRefreshMargin).
func Decide(recs []*tokenstore.Record, req Request, now time.Time, margin time.Duration) Result {
	if _, ok := Origin(req.Protocol, req.Host, ""); !ok {
		return Result{Why: "not an HTTP(S) host"}
	}
	if HasDotSegments(req.Path) {
		return Result{Why: "a path with dot segments"}
	}
	rec := Find(recs, req.Protocol, req.Host, req.Path, req.Username)
	if rec == nil {
		return Result{Why: "no stored token for " + req.Protocol + "://" + req.Host}
	}
	res := decide(rec, req, now, margin)
	res.Found = rec
	return res
}

// decide is Decide for the record the request matched.
func decide(rec *tokenstore.Record, req Request, now time.Time, margin time.Duration) Result {
	if !impersonationServes(rec, req.Username) {
		return Result{Why: rec.Key.String() + " was not minted for a user bitbucket.user allowed: asking git config"}
	}
	if rec.Grant == grant.Static {
		// Nothing to refresh, so no margin: served until its expiry; an
		// expired one goes to the slow path, which names the command
		// that replaces it.
		if StaticExpired(rec.Expiry, now) {
			return Result{Why: "the static token for " + rec.Key.String() + " expired " + When(rec.Expiry)}
		}
		return Result{Record: rec, Why: "static token for " + rec.Key.String() + ", expiry " + When(rec.Expiry),
			StaticWarn: StaticWarnDue(rec.Expiry, rec.ExpiryWarned, now)}
	}
	if margin <= 0 {
		margin = rec.RefreshMargin
	}
	if margin <= 0 {
		margin = DefaultRefreshMargin
	}
	if !Fresh(rec, now, margin) {
		return Result{Why: "stored token for " + rec.Key.String() + " expires " + When(rec.Expiry) + ", within the margin " + margin.String()}
	}
	if rec.Kind == grant.KindCloud && KeepAliveDue(rec, now) {
		return Result{Why: "the refresh token for " + rec.Key.String() + " was last used " + When(rec.RefreshUsed) + ": keep-alive"}
	}
	return Result{Record: rec, Why: "stored token for " + rec.Key.String() + " valid until " + When(rec.Expiry)}
}

// Fresh reports whether rec holds an access token valid for more than
// margin.
func Fresh(rec *tokenstore.Record, now time.Time, margin time.Duration) bool {
	return rec != nil && rec.AccessToken != "" && !rec.Expiry.IsZero() && rec.Expiry.Sub(now) > margin
}

// KeepAliveDue reports whether rec's (Cloud) refresh token has gone
// unused for KeepAliveAfter, so that a get spends it although the access
// token is valid. Grants without a refresh token (client credentials and
// JWT mint anew) never are.
func KeepAliveDue(rec *tokenstore.Record, now time.Time) bool {
	if rec == nil || rec.RefreshToken == "" || rec.Grant == grant.ClientCredentials || rec.Grant == grant.JWT {
		return false
	}
	last := LastRefreshUse(rec)
	return !last.IsZero() && now.Sub(last) >= KeepAliveAfter
}

// LastRefreshUse is when rec's refresh token was last spent, or issued
// when that is unknown.
func LastRefreshUse(rec *tokenstore.Record) time.Time {
	if !rec.RefreshUsed.IsZero() {
		return rec.RefreshUsed
	}
	return rec.Updated
}

// EnvDuration parses a duration setting from the environment (such as
// GIT_CREDENTIAL_BITBUCKET_REFRESH_MARGIN): ok is false when v is empty,
// not a Go duration, or negative, and the setting is then ignored.
func EnvDuration(v string) (d time.Duration, ok bool) {
	if v == "" {
		return 0, false
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, false
	}
	return d, true
}

// When renders a time for traces and messages.
func When(t time.Time) string {
	if t.IsZero() {
		return "(unknown)"
	}
	return t.UTC().Format(time.RFC3339)
}

// Origin validates protocol and host as git sent them and builds the
// remote URL, with path when given. ok is false for anything that is not
// an HTTP(S) host git could have meant (cert, smtp, an empty host, a host
// with a path or user smuggled in): those are never ours.
func Origin(protocol, host, path string) (*url.URL, bool) {
	if protocol != "https" && protocol != "http" {
		return nil, false
	}
	if host == "" || strings.ContainsAny(host, "/@?#\\ ") {
		return nil, false
	}
	u, err := url.Parse(protocol + "://" + host)
	if err != nil || u.Host != host || u.User != nil || u.Path != "" {
		return nil, false
	}
	if path != "" {
		u.Path = "/" + strings.Trim(path, "/")
	}
	return u, true
}

// AllowedUsers splits bitbucket.user, one user or a comma-separated
// allow-list, into its names.
func AllowedUsers(v string) []string {
	var users []string
	for _, u := range strings.Split(v, ",") {
		if u = strings.TrimSpace(u); u != "" {
			users = append(users, u)
		}
	}
	return users
}

// impersonationServes reports whether the fast path may answer a request
// with username from rec without reading git config: only a record minted
// for a user the record's own bitbucket.user allowed (records written
// before the allow-list, with no user, never do), and for a request
// without a username only a record kept for such requests (see Find).
// Whom impersonation acts for is never chosen by a URL (issue 10, point 2).
func impersonationServes(rec *tokenstore.Record, username string) bool {
	if rec.Grant != grant.OAuth1Impersonate {
		return true
	}
	users := AllowedUsers(IdentityField(rec.Identity, "user"))
	if len(users) == 0 {
		return false
	}
	if username == "" {
		return rec.Key.Username == ""
	}
	return slices.ContainsFunc(users, func(u string) bool { return strings.EqualFold(u, username) })
}

// IdentityField reads one field of a record's identity, the
// space-separated name=value list (values query-escaped) of what the
// token was minted for.
func IdentityField(id, name string) string {
	for _, kv := range strings.Fields(id) {
		if v, ok := strings.CutPrefix(kv, name+"="); ok {
			v, _ = url.QueryUnescape(v)
			return v
		}
	}
	return ""
}

// Answer is git's answer with rec's token: the username the product wants
// (rec.GitUsername) and the token as password, or, when authType is
// "bearer" and git advertised capability[]=authtype, authtype=Bearer with
// the token as an ephemeral credential. The refresh token never goes to
// git.
func Answer(req *gitcred.Request, rec *tokenstore.Record, authType string) *gitcred.Response {
	if authType == "bearer" && req.HasCapability("authtype") {
		return &gitcred.Response{AuthType: "Bearer", Credential: rec.AccessToken, Ephemeral: true, PasswordExpiry: rec.Expiry}
	}
	return &gitcred.Response{Username: rec.GitUsername, Password: rec.AccessToken, PasswordExpiry: rec.Expiry}
}
