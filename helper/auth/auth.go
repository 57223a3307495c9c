// Package auth is the contract between the CLI (helper/cli) and the product
// packages (helper/cloud, helper/datacenter): a Provider turns settings and what
// the store holds into a fresh credential for git.
package auth

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/gitconfig"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

// Env is what a provider may use; everything with side effects is a field
// so tests run in parallel.
type Env struct {
	Settings *gitconfig.Settings
	Remote   *url.URL // scheme://host[:port]/context-path of the remote (no repo path)
	Username string   // username git sent, "" if none
	HTTP     *http.Client
	Now      func() time.Time

	// Interactive is false under GIT_TERMINAL_PROMPT=0 or interactive=never.
	Interactive bool
	// OpenBrowser opens url in the user's browser ($BROWSER or platform opener).
	OpenBrowser func(url string) error
	// TTY is the user's terminal (/dev/tty), nil when there is none. Never stdout.
	TTY io.ReadWriter
	// Say writes one line for the person on stderr (the CLI prefixes and
	// redacts it): the authorize URL when there is no terminal, a retry's
	// wait. nil: say nothing.
	Say func(format string, args ...any)
	// Trace receives redacted decision traces (never secrets); may be io.Discard.
	Trace func(format string, args ...any)
}

// Provider implements one product (Cloud, Server/DC).
type Provider interface {
	// Obtain returns a record whose credential is valid for at least the
	// refresh margin: prev (may be nil) as is, refreshed, minted or newly
	// authorized. login forces a fresh authorization. Called under the
	// store lock for the key; the caller persists the result.
	//
	// With an error, the record is normally nil and the caller leaves the
	// store as it is (a refresh token that may still work is never lost).
	// A provider may instead return, along with the error, the record the
	// store should now hold (e.g. prev without a refresh token the server
	// rejected as invalid_grant); the caller persists it and still reports
	// the error.
	Obtain(ctx context.Context, env *Env, prev *tokenstore.Record, login bool) (*tokenstore.Record, error)
	// Revoke best-effort revokes on the server what rec holds that the server
	// can revoke (minted HTTP access tokens), for erase/logout.
	Revoke(ctx context.Context, env *Env, rec *tokenstore.Record) error
	// Account returns the account name for status, without secrets.
	Account(ctx context.Context, env *Env, rec *tokenstore.Record) (string, error)
}

// ErrInteractionRequired: the flow needs a person but interaction is off.
// The CLI answers quit=1 and tells the user to run `git-credential-bitbucket login`.
var ErrInteractionRequired = errors.New("interaction required")

// ErrRefreshRefused: the server refused the stored refresh token (dead,
// revoked, or a short lockout, docs/bitbucket-behaviour.md#cloud-2026). The provider keeps the token as
// suspect; without a person to ask, the CLI answers quit=1 and tells the
// user to run `git-credential-bitbucket login`, never blaming the client
// secret. Errors that are ErrRefreshRefused are ErrInteractionRequired too.
var ErrRefreshRefused = errors.New("refresh token refused")

// ConfigError is a misconfigured remote: quit=1 and the message on stderr.
type ConfigError struct{ Msg string }

func (e *ConfigError) Error() string { return e.Msg }

// Checker is a Provider that can check a remote's settings against the
// server before they are saved or a browser opens, with no person: for a
// grant that needs none it obtains a token (returned for the caller to
// keep); for one that asks a person it checks the consumer or link the
// way the flow will use it (nil record). An error names the setting to fix.
type Checker interface {
	Preflight(ctx context.Context, env *Env) (*tokenstore.Record, error)
}
