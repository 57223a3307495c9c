package cli

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/bbcred/git-credential-bitbucket/helper/auth"
	"github.com/bbcred/git-credential-bitbucket/helper/gitconfig"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

// grantImpersonate is the grant that acts for a user of the operator's
// choosing. Whom it acts for is never chosen by a URL (issue 10, point 2):
// a submodule URL such as http://alice@server/... in a repository someone
// else wrote would otherwise be enough to act as alice.
const grantImpersonate = "oauth1-impersonate"

// allowedUsers splits bitbucket.user, one user or a comma-separated
// allow-list, into its names.
func allowedUsers(v string) []string {
	var users []string
	for _, u := range strings.Split(v, ",") {
		if u = strings.TrimSpace(u); u != "" {
			users = append(users, u)
		}
	}
	return users
}

// refusedUserError: a request names a user bitbucket.user does not allow.
// It gets no credentials and one line; git goes on to its next helper.
type refusedUserError struct {
	user    string
	allowed []string
}

func (e *refusedUserError) Error() string {
	return fmt.Sprintf("user %q in the remote URL is not in bitbucket.user (%s): not impersonating", e.user, strings.Join(e.allowed, ", "))
}

// actingUser is whom oauth1-impersonate acts for on a request with
// username (what git sent, "" for none): that user when bitbucket.user
// lists it, else, without a username, the first user listed.
func actingUser(s *gitconfig.Settings, username string) (string, error) {
	users := allowedUsers(s.User)
	if len(users) == 0 {
		return "", &auth.ConfigError{Msg: "grant oauth1-impersonate needs bitbucket.user (the user to act for, or a comma-separated list of users allowed in remote URLs); the remote URL never chooses"}
	}
	if username == "" {
		return users[0], nil
	}
	if i := slices.IndexFunc(users, func(u string) bool { return strings.EqualFold(u, username) }); i >= 0 {
		return users[i], nil
	}
	return "", &refusedUserError{user: username, allowed: users}
}

// impersonationServes reports whether the fast path may answer a request
// with username from rec without reading git config: only a record minted
// for a user the record's own bitbucket.user allowed (records written
// before the allow-list, with no user, never do), and for a request
// without a username only a record kept for such requests (see findRecord).
func impersonationServes(rec *tokenstore.Record, username string) bool {
	if rec.Grant != grantImpersonate {
		return true
	}
	users := allowedUsers(identityField(rec.Identity, "user"))
	if len(users) == 0 {
		return false
	}
	if username == "" {
		return rec.Key.Username == ""
	}
	return slices.ContainsFunc(users, func(u string) bool { return strings.EqualFold(u, username) })
}

// identityField reads one field of a record's identity (see identity).
func identityField(id, name string) string {
	for _, kv := range strings.Fields(id) {
		if v, ok := strings.CutPrefix(kv, name+"="); ok {
			v, _ = url.QueryUnescape(v)
			return v
		}
	}
	return ""
}
