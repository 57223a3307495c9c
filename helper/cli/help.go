package cli

import (
	"io"
	"strings"

	"github.com/bbcred/git-credential-bitbucket/helper/grant"
)

const usage = `usage: git-credential-bitbucket <command> [arguments]

A git credential helper that answers git with a fresh OAuth token for
Bitbucket Cloud and Bitbucket Server / Data Center remotes.

Commands git runs:
  get, store, erase     git's credential helper protocol on stdin/stdout

Commands for people:
  login [URL]           run the configured flow now and store the result
  logout [URL]          revoke where the server allows it, forget local tokens
  status [URL] [--check] [--json]
                        every configured remote: usable or not, account, grant,
                        expiry; --check asks the server about each token
  doctor [URL] [--json]  check the setup and explain each problem with its fix
  token [URL] [--header]
                        print a fresh access token (or an Authorization header)
  configure URL --grant G [options]
                        write the git config for one remote and grant
  unconfigure URL       undo configure: revoke and forget the tokens, remove
                        the settings and helper entries it wrote
  version               print the version, commit, Go version and platform
  completion SHELL      print a bash, zsh or fish completion script
  help [COMMAND]        show help for a command

URL defaults to https://bitbucket.org.

Testing aid for bitbucket-mock (not for real servers):
  GIT_CREDENTIAL_BITBUCKET_CLOCK_OFFSET=DURATION
                        run the helper's clock DURATION (e.g. 2h1m, not
                        negative) ahead of this machine's: token expiry,
                        OAuth 1 timestamps and JWT times all move, as
                        POST /_mock/clock {"advance":"2h1m"} moves the mock's
`

var commandHelp = map[string]string{
	"get": `usage: git-credential-bitbucket get

Run by git (credential.helper = bitbucket). Reads a credential request on
stdin and, for a Bitbucket remote, prints a username and a token that stays
valid for at least the refresh margin, refreshing, minting or authorizing
as the remote's bitbucket.* configuration says. A remote is a Bitbucket
remote only when you named it: https://bitbucket.org, a URL-scoped
bitbucket.<URL>.* key (configure writes them), or an entry of
GIT_CREDENTIAL_BITBUCKET_URL (one URL or a comma-separated list, for CI).
Environment variables and URL-less bitbucket.* settings only fill in the
settings of such a remote. For other remotes it prints nothing. Errors go to stderr as one line; with a misconfigured remote or a
login that needs a person while prompting is off, it tells git to stop
(quit=1).
`,
	"store": `usage: git-credential-bitbucket store

Run by git after a credential worked. The helper keeps only what it minted
itself; the one exception is a refresh token another helper forwards
(oauth_refresh_token) for a remote it serves and holds no refresh token for.
`,
	"erase": `usage: git-credential-bitbucket erase

Run by git when a credential was rejected. Forgets the stored access token
only when the rejected password is that token; the refresh token is kept.
An erase without a password changes nothing.
`,
	"login": `usage: git-credential-bitbucket login [URL] [--no-browser]

Runs the remote's configured flow now and stores the result. URL defaults
to https://bitbucket.org; for a remote with a context path, give it
(https://host/bitbucket).

For a flow that needs your consent (` + strings.Join(grantsWhere(true), ", ") + `)
it prints the authorize URL and the time limit on the terminal every
time, opens the browser, and waits for the browser to come back to its
loopback address; at any moment you may instead paste there the address
the browser was sent to (or the code the page shows), whichever comes
first. A line shows the time left. Ctrl-C stops: nothing is stored and
the exit status is 130.

Options:
  --no-browser   open no browser: print the URL and read the paste
                 (also: GIT_CREDENTIAL_BITBUCKET_NO_BROWSER=1)
`,
	"logout": `usage: git-credential-bitbucket logout [URL]

Revokes what the server allows to be revoked (minted Server/DC HTTP access
tokens) and forgets every local token for URL (default https://bitbucket.org).
A URL without a path covers every context path on the host. For each record
it says what was revoked on the server, what was only forgotten here, and
what stays (an OAuth 1 authorization stays under the user's Authorized
applications on the server until revoked there).
`,
	"status": `usage: git-credential-bitbucket status [URL] [--check] [--json]

Lists every configured remote (bitbucket.<url>.* keys in git config,
GIT_CREDENTIAL_BITBUCKET_URL, bitbucket.org when a grant applies) and every
remote the token store keeps records for, or only URL. For each: whether it
is usable and, when not, why and the command that fixes it; then each
record: account, grant, the settings it was minted for (marked stale when
git config now says otherwise, or when the remote is no longer
configured), access-token expiry, scopes, what an OAuth 1 login holds, and
when the refresh token was last used (and whether Bitbucket refused it: it
is kept and tried again after a 5-minute cool-down). Never prints a secret.

  --check   ask the server whether it takes each stored access token
            (Cloud GET /2.0/user, Data Center application-properties);
            a token the server rejects is shown as REJECTED, never valid
  --json    print the report as JSON (schemaVersion 1, see README.md)

Exit status: 0 when every configured remote listed (or URL) is usable,
else 1 with a line naming those that are not.

A stored token is served until it nears expiry without reading git config.
After changing bitbucket.grant, kind, clientId, consumerKey or user with
plain git config, the next refresh notices the change and starts over; to
apply it at once, run login (or configure again, or logout).
`,
	"doctor": `usage: git-credential-bitbucket doctor [URL] [--json]

Checks what a working setup needs, for every configured remote (or URL),
and explains each problem with its fix: the binary on PATH; the credential
helper order (ours must come first; store anywhere copies tokens to disk in
plain text); credential.useHttpPath for a context path; the git version and
what it supports (password_expiry_utc 2.41+, authtype 2.46+); the clock
against the server's Date header (more than 5 minutes off is an error:
OAuth 1 signatures are refused); secret and key files (mode, PEM, RSA); the
state directory; each endpoint (reachable, time, TLS); and the consumer or
application link through a token request where no person is needed
(` + strings.Join(grantsWhere(false), ", ") + `), which, as
login does, keeps the new token; for ` + grant.OAuth1 + `, a signed request-token call.

  --json    print the findings as JSON (schemaVersion 1, see README.md)

Exit status: 1 when any finding is an error, else 0.
`,
	"token": `usage: git-credential-bitbucket token [URL] [--header]

Prints a fresh access token for URL (default https://bitbucket.org), or with
--header an "Authorization: Bearer <token>" line, for REST calls:

  curl -H "$(git credential-bitbucket token --header)" https://api.bitbucket.org/2.0/user
`,
	"configure": `usage: git-credential-bitbucket configure URL --grant GRANT [options]

Writes, with git config --global, credential.<URL>.helper and the
bitbucket.<URL>.* settings for one remote. Secrets read with --*-stdin are
written to a file only you can read (under $XDG_CONFIG_HOME/git-credential-bitbucket),
never into git config.

A URL with a path (a Server/DC context path such as https://host/bitbucket;
a path with /scm/ is cut to the part before it) also gets
credential.<URL>.useHttpPath=true, so that git tells the helper which
remote it asks for. The helper keeps one token per remote, not per
repository.

Before anything is saved the settings are checked with the server, with no
person: ` + joinAnd(grantsWhere(false)) + ` get a
token (kept for the first git command) and the account is printed;
authorization-code checks the consumer's key, callback and secret. On a
failure nothing is saved and the message names the setting to fix
(--no-check saves without asking). A Cloud grant needs --kind cloud on a
host other than bitbucket.org; a Server/DC grant is refused there. Other
credential helpers git runs for the remote are reset for it (an empty
credential.<URL>.helper before ours) and named on stderr.

` + grantsHelp() + `
Options:
  --kind K                   cloud, server or datacenter (default: from the grant)
  --no-check                 save without checking the settings with the server
  --client-id ID             OAuth 2 consumer key / client id
  --client-secret-file F     file holding the client secret (mode 0600)
  --client-secret-stdin      read the client secret from stdin (a terminal: typed
                             or pasted with echo off)
  --consumer-key K           OAuth 1 application link consumer key
  --private-key-file F       its RSA private key (PEM)
  --user U[,U...]            user to impersonate (required for oauth1-impersonate);
                             a list allows those users in remote URLs, the first
                             is used when the URL names none
  --scopes S                 requested scopes / token permissions
  --redirect-url U           loopback redirect registered on the consumer
  --api-url U                REST base when it is not derivable
  --jwt-key K                Connect app key (jwt grant)
  --jwt-client-key K         Connect client key (jwt grant)
  --jwt-shared-secret-stdin  read the Connect shared secret from stdin
  --authtype T               basic (default) or bearer

Options of --grant static (the token is kept in the token store, never in git config):
  --token-stdin              read the token from stdin (required)
  --token-kind K             api-token or access-token (Cloud), http-access-token
                             (Server/DC, the default there); Cloud default: api-token
                             with --email or an ATATT token, else access-token
  --email E                  Atlassian account e-mail: Cloud checks API tokens with it
  --user U                   git username: Bitbucket username for an API token
                             (default x-bitbucket-api-token-auth), the slug on DC
                             (default: the user the server names)
  --expires DATE             expiry (YYYY-MM-DD or RFC 3339) when the server does
                             not tell it (Cloud); warnings start 7 days before
  --app-password             says the token is an app password: refused (they
                             stopped working on 2026-07-28)
`,
	"unconfigure": `usage: git-credential-bitbucket unconfigure URL

Undoes configure for one remote: revokes what the server allows (as logout
does) and forgets the stored tokens, then removes from the global git
config the bitbucket.<URL>.* settings and the credential.<URL> entries
configure wrote (the empty helper reset, the helper itself, useHttpPath),
and deletes the secret file configure wrote for --*-stdin. Other keys of
credential.<URL>, and helpers you added there, stay. Says what it did.
`,
	"version": `usage: git-credential-bitbucket version

Prints the version, the commit and build date, the Go version and the
platform (also: git-credential-bitbucket --version).
`,
	"completion": `usage: git-credential-bitbucket completion bash|zsh|fish

Prints a completion script for the shell, made from these help texts:

  eval "$(git-credential-bitbucket completion bash)"        # ~/.bashrc
  git-credential-bitbucket completion zsh > "${fpath[1]}/_git-credential-bitbucket"
  git-credential-bitbucket completion fish | source         # config.fish
`,
	"help": `usage: git-credential-bitbucket help [COMMAND]

Shows help for COMMAND, or the list of commands.
`,
}

func (r *run) help(args []string) int {
	if len(args) == 0 {
		io.WriteString(r.stdout, usage)
		return exitOK
	}
	text, ok := commandHelp[args[0]]
	if !ok {
		return r.helpUnknown(args[0]) // unknown.go
	}
	io.WriteString(r.stdout, text)
	return exitOK
}
