// Package static is the grant for users who cannot register an OAuth
// consumer: a token the user created in Bitbucket's UI, kept in the token
// store and handed to git as it is, until it expires. App passwords stopped
// working on 2026-07-28 (docs/bitbucket-behaviour.md#cloud-api-tokens,
// docs/bitbucket-behaviour.md#cloud-api-tokens); what takes their place:
//
//   - a Cloud Atlassian API token: git username x-bitbucket-api-token-auth
//     (or the Bitbucket username); REST only with the Atlassian e-mail
//     (docs/bitbucket-behaviour.md#cloud-api-tokens);
//   - a Cloud repository, project or workspace access token: git username
//     x-token-auth, REST with Bearer (docs/bitbucket-behaviour.md#cloud-access-tokens);
//   - a Data Center personal HTTP access token: git username the user's
//     slug (docs/bitbucket-behaviour.md#dc-access-tokens).
//
// Which kind a token is: --token-kind when given; on Server/DC always an
// HTTP access token; on Cloud an API token when --email is given or the
// token starts with ATATT (the prefix Atlassian API tokens carry; not in
// the facts, UNCONFIRMED), otherwise an access token. configure validates
// the token against the server, so a wrong guess is refused there.
package static

import (
	"errors"
	"fmt"
	"github.com/bbcred/git-credential-bitbucket/helper/fastpath"
	"github.com/bbcred/git-credential-bitbucket/helper/grant"
	"strings"
	"time"
)

// Token kinds (tokenstore.Record.TokenKind, configure --token-kind).
const (
	KindAPIToken    = "api-token"         // Cloud: Atlassian API token
	KindAccessToken = "access-token"      // Cloud: repository, project or workspace access token
	KindHTTPToken   = "http-access-token" // Server/DC: personal HTTP access token
)

// Git usernames of the Cloud kinds (docs/bitbucket-behaviour.md#cloud-access-tokens, docs/bitbucket-behaviour.md#cloud-api-tokens).
const (
	apiTokenGitUser    = "x-bitbucket-api-token-auth"
	accessTokenGitUser = "x-token-auth"
)

// appPasswordsEnded is when Bitbucket Cloud app passwords stopped working
// (docs/bitbucket-behaviour.md#cloud-api-tokens: fully removed 2026-07-28).
const appPasswordsEnded = "2026-07-28"

// appPasswordPrefix starts the app passwords Bitbucket Cloud issued in
// their last years. UNCONFIRMED: the facts do not describe the format;
// this is what public examples show, and API tokens start with ATATT.
const appPasswordPrefix = "ATBB"

// Warnings: a line at most once per warnEvery in the last warnWindow.
const (
	warnWindow = fastpath.StaticWarnWindow
	warnEvery  = fastpath.StaticWarnEvery
)

// errAppPassword refuses an app password.
var errAppPassword = errors.New("app passwords stopped working on " + appPasswordsEnded +
	" (Bitbucket Cloud removed them): create an API token (id.atlassian.com, with Bitbucket scopes) or an access token instead")

// RefuseAppPassword refuses a token the user says is an app password
// (said), or one with the app-password prefix.
func RefuseAppPassword(token string, said bool) error {
	if said || strings.HasPrefix(token, appPasswordPrefix) {
		return errAppPassword
	}
	return nil
}

// Kind decides the token kind: explicit when given (checked against the
// product), else by product, --email and the API-token prefix.
func Kind(product, explicit, token string, email bool) (string, error) {
	cloud := product == grant.KindCloud
	switch explicit {
	case KindAPIToken, KindAccessToken:
		if !cloud {
			return "", fmt.Errorf("--token-kind %s is a Bitbucket Cloud token; Server/Data Center takes %s", explicit, KindHTTPToken)
		}
		return explicit, nil
	case KindHTTPToken:
		if cloud {
			return "", fmt.Errorf("--token-kind %s is a Server/Data Center token; Cloud takes %s or %s", explicit, KindAPIToken, KindAccessToken)
		}
		return explicit, nil
	case "":
	default:
		return "", fmt.Errorf("--token-kind must be %s, %s or %s", KindAPIToken, KindAccessToken, KindHTTPToken)
	}
	switch {
	case !cloud:
		return KindHTTPToken, nil
	case email || strings.HasPrefix(token, "ATATT"):
		return KindAPIToken, nil
	}
	return KindAccessToken, nil
}

// GitUsername is what git is given with a token of kind; user is --user
// (the Bitbucket username for an API token, the slug on Data Center).
func GitUsername(kind, user string) string {
	switch kind {
	case KindAPIToken:
		if user != "" {
			return user
		}
		return apiTokenGitUser
	case KindAccessToken:
		return accessTokenGitUser
	}
	return user
}

// ParseExpires reads --expires: a date (YYYY-MM-DD, taken as the start of
// that day in UTC, so the helper stops a little early rather than late) or
// an RFC 3339 time.
func ParseExpires(v string) (time.Time, error) {
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, fmt.Errorf("--expires %q: want a date such as 2027-03-31 or an RFC 3339 time", v)
}

// warnDue is fastpath.StaticWarnDue (the fast path decides it).
func warnDue(expiry, warned, now time.Time) bool { return fastpath.StaticWarnDue(expiry, warned, now) }

// Expired reports whether a known expiry has passed.
func Expired(expiry, now time.Time) bool { return fastpath.StaticExpired(expiry, now) }

// ReplaceCommand is the command that replaces the token for remote.
func ReplaceCommand(remote string) string {
	return "git-credential-bitbucket configure " + remote + " --grant " + grant.Static + " --token-stdin"
}
