package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"github.com/bbcred/git-credential-bitbucket/helper/grant"
	"io"
	"net/url"
	"strconv"
	"strings"

	"github.com/bbcred/git-credential-bitbucket/helper/auth"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

// DefaultURL is the remote the user commands act on when none is given.
const DefaultURL = "https://bitbucket.org"

func quote(s string) string { return strconv.Quote(s) }

// parseArgs parses flags wherever they appear (before or after the URL)
// and returns the positional arguments.
func (r *run) parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, flagHint(fs, err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// parseRemote parses the URL argument of a user command.
func parseRemote(args []string) (*url.URL, error) {
	raw := DefaultURL
	switch len(args) {
	case 0:
	case 1:
		raw = args[0]
	default:
		return nil, fmt.Errorf("too many arguments: %s", strings.Join(args[1:], " "))
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%s is not an https:// URL", quote(raw))
	}
	if _, p := u.User.Password(); p {
		return nil, errors.New("the URL must not contain a password")
	}
	return u, nil
}

// usageErr reports a usage error for cmd and returns the exit code.
func (r *run) usageErr(cmd string, err error) int {
	r.msg.errorf("%s: %v (see git-credential-bitbucket %s --help)", cmd, err, cmd)
	return exitUsage
}

// target resolves a user command's URL; not ours is an error there.
func (r *run) target(ctx context.Context, u *url.URL) (*target, error) {
	t, err := r.resolve(ctx, u.Scheme, u.Host, strings.Trim(u.Path, "/"))
	if err != nil {
		return nil, err
	}
	if t == nil {
		where := remoteDisplay(u.Scheme, u.Host, commandPath(u))
		if r.gitConfigErr != nil {
			return nil, &auth.ConfigError{Msg: fmt.Sprintf("cannot read the bitbucket settings for %s: %v", where, r.gitConfigErr)}
		}
		return nil, fmt.Errorf("%s is not configured as a Bitbucket remote (environment and URL-less settings apply only to remotes named by a bitbucket.<url>.* key or in GIT_CREDENTIAL_BITBUCKET_URL); run: git-credential-bitbucket configure %s --grant GRANT ...", where, where)
	}
	return t, nil
}

// commandErr prints err for a user command and returns the exit code.
func (r *run) commandErr(cmd string, err error) int {
	var cfg *auth.ConfigError
	switch {
	case errors.As(err, &cfg):
		r.msg.errorf("%s: %s", cmd, cfg.Msg)
	case errors.Is(err, auth.ErrRefreshRefused):
		r.msg.errorf("%s: %v: run git-credential-bitbucket login", cmd, err)
	case errors.Is(err, auth.ErrInteractionRequired):
		r.msg.errorf("%s: %v: a login needs a browser or a terminal; run git-credential-bitbucket login in a terminal (with --no-browser to paste the address)", cmd, err)
	default:
		r.msg.errorf("%s: %v", cmd, err)
	}
	return exitFail
}

func (r *run) login(ctx context.Context, args []string) int {
	fs := flag.NewFlagSet("login", flag.ContinueOnError)
	noBrowser := fs.Bool("no-browser", false, "")
	u, code, ok := r.commandRemote("login", fs, args, remoteDefault)
	if !ok {
		return code
	}
	t, err := r.target(ctx, u)
	if err != nil {
		return r.commandErr("login", err)
	}
	if helper, err := r.helperValue(); err == nil {
		// A helper git runs after ours would copy the new token.
		r.warnHelpers(ctx, "login", t.remote.String(), helper, true)
	}
	if grant.IsInteractive(t.settings.Grant) {
		// A wrong client id, secret or callback ends here, not in a
		// browser page and a silent wait (issue 12, point 2).
		if _, _, err := r.preflight(ctx, t); err != nil {
			return r.commandErr("login", err)
		}
	}
	// login is a person asking for the flow: it is interactive unless the
	// remote forbids it. Ctrl-C ends the wait cleanly (interrupt.go).
	ctx, interrupted, stop := r.interruptible(ctx)
	defer stop()
	interactive := !strings.EqualFold(t.settings.Interactive, "never")
	rec, err := r.obtain(ctx, t, obtainRequest{username: u.User.Username(), login: true, interactive: interactive, noBrowser: *noBrowser})
	if err != nil && interrupted() {
		r.msg.errorf("login: interrupted; nothing was stored for %s", t.display())
		return exitInterrupted
	}
	if err != nil {
		return r.commandErr("login", err)
	}
	fmt.Fprintf(r.stdout, "Logged in to %s (grant %s); token valid until %s.\n", t.display(), rec.Grant, expiryText(rec.Expiry))
	return exitOK
}

// concerns reports whether a user command given u acts on rec: same
// protocol and host, related paths (see pathsRelated), and the URL's user
// name when it has one.
func concerns(rec *tokenstore.Record, u *url.URL) bool {
	k := rec.Key
	return k.Protocol == u.Scheme && k.Host == u.Host &&
		pathsRelated(k.Path, commandPath(u)) &&
		(u.User.Username() == "" || k.Username == u.User.Username())
}

// commandPath is the path of a user command's URL, cut to the context
// path when it is a clone URL (…/scm/proj/repo.git).
func commandPath(u *url.URL) string {
	if cp, ok := scmContextPath(u.Path); ok {
		return cp
	}
	return strings.Trim(u.Path, "/")
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func (r *run) token(ctx context.Context, args []string) int {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	header := fs.Bool("header", false, "print an Authorization header")
	u, code, ok := r.commandRemote("token", fs, args, remoteDefault)
	if !ok {
		return code
	}
	rec := r.fastPath(u.Scheme, u.Host, u.Path, u.User.Username())
	if rec == nil {
		t, err := r.target(ctx, u)
		if err != nil {
			return r.commandErr("token", err)
		}
		rec, err = r.obtain(ctx, t, obtainRequest{username: u.User.Username(), interactive: r.interactive(t)})
		if err != nil {
			return r.commandErr("token", err)
		}
	}
	if !visibleASCII(rec.AccessToken) {
		// Printed raw on a terminal: an escape sequence in it would run
		// there (issue 10, point 6). Tokens are visible ASCII.
		return r.commandErr("token", fmt.Errorf("the token from %s contains characters other than visible ASCII: not printing it", rec.Key))
	}
	if err := staticHeaderRefused(rec, *header); err != nil {
		return r.commandErr("token", err) // static.go
	}
	if *header {
		fmt.Fprintf(r.stdout, "Authorization: Bearer %s\n", rec.AccessToken)
	} else {
		fmt.Fprintf(r.stdout, "%s\n", rec.AccessToken)
	}
	return exitOK
}
