package cli

import (
	"fmt"
	"github.com/bbcred/git-credential-bitbucket/helper/fastpath"
	"slices"
	"strings"

	"github.com/bbcred/git-credential-bitbucket/helper/auth"
	"github.com/bbcred/git-credential-bitbucket/helper/gitconfig"
)

// grant.OAuth1Impersonate acts for a user of the operator's choosing.
// Whom it acts for is never chosen by a URL (issue 10, point 2): a
// submodule URL such as http://alice@server/... in a repository someone
// else wrote would otherwise be enough to act as alice.

// allowedUsers splits bitbucket.user into its names (fastpath.AllowedUsers).
func allowedUsers(v string) []string { return fastpath.AllowedUsers(v) }

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

// identityField reads one field of a record's identity (see identity).
func identityField(id, name string) string { return fastpath.IdentityField(id, name) }
