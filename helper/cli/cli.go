// Package cli is git-credential-bitbucket's command line: git's get, store
// and erase operations and the user commands (login, logout, status, token,
// configure, version). It is the only package that knows about exit codes,
// stdout and stderr; everything with side effects is a field of App so tests
// run in parallel.
//
// Choices where the design leaves room:
//
//   - get looks in the token store before running git config: a stored
//     token that outlives the refresh margin (the environment override,
//     else the margin the record was written with, else 5m) is printed with
//     no subprocess and no network. bitbucket.authtype is remembered in the
//     record for the same reason; configure drops stored access tokens so
//     that new settings apply at once.
//   - With authtype=bearer and capability[]=authtype, get prints authtype,
//     credential and ephemeral (plus password_expiry_utc) and no
//     username/password. The refresh token is never printed: the helper
//     keeps it and hands it to no other storage helper.
//   - erase without a password (or credential) changes nothing: git sends
//     the rejected password on every real erase, and a bare host pattern
//     must not throw a login away.
//   - login is interactive even under GIT_TERMINAL_PROMPT=0 (a person asked
//     for it), unless bitbucket.interactive=never.
//   - A malformed request gets one stderr line even for a host that is not
//     ours: the host cannot be trusted before the request is understood.
//   - Context paths: configure with a URL that has a path also sets
//     credential.<url>.useHttpPath=true; the settings and the store key
//     use the context path (the part before "scm/", else the configured
//     URL's path), so there is one token per remote, not per repository
//     (remote.go).
//   - A record remembers the identity it was minted for (kind, grant,
//     client id, consumer key, user); the slow path starts over, revoking
//     what it can, when git config now says otherwise. The fast path keeps
//     serving the old token until it nears expiry; status shows it.
//   - An unconfigured remote that answers with Bitbucket Server's
//     challenge (wwwauth[], git 2.41+) gets one hint line about configure,
//     never for a host that imitates bitbucket.org (hint.go).
//   - bitbucket.store (keyring.go) decides where the slow path writes
//     secrets; every reader follows the record, so the fast path never
//     probes for a keyring, and records written before keep working.
//   - A remote is ours only when named (bitbucket.org, a URL-scoped key,
//     GIT_CREDENTIAL_BITBUCKET_URL); a malformed GIT_CREDENTIAL_BITBUCKET_URL
//     entry gets one stderr line on every get (it is the user's own
//     environment) and names nothing.
//   - oauth1-impersonate: bitbucket.user is one user or an allow-list; a
//     request without a username acts for the first listed. A URL user
//     outside the list gets one line and no quit, so git may still try
//     its other helpers. The fast path serves an impersonation record
//     only for a user its own recorded bitbucket.user allowed.
//   - An unknown first argument fails (exit 2, "did you mean") when it
//     starts with '-', is within 2 edits of a command for people, or is
//     typed on a terminal; otherwise it is a later git's operation and
//     gets nothing (unknown.go).
//   - A consent shows the authorize URL and the time limit every time (on
//     /dev/tty, else stderr) and reads a paste while the listener waits
//     (helper/internal/consent); login --no-browser or
//     GIT_CREDENTIAL_BITBUCKET_NO_BROWSER=1 opens no browser; Ctrl-C ends
//     a login with exit 130 (interrupt.go).
//   - An inline bitbucket.clientSecret in a git config file with any group
//     or other read bit warns on every slow path (the fast path reads no
//     config).
package cli

import (
	"context"
	"github.com/bbcred/git-credential-bitbucket/helper/fastpath"
	"github.com/bbcred/git-credential-bitbucket/helper/gitconfig"
	"io"
	"net/http"
	"os"
	"os/exec"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/auth"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore/oskeyring"
)

// Exit codes of the user commands. git's operations (get, store, erase)
// always exit 0: git ignores the status, and a helper that has nothing to
// say must not look like a failure.
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

// Defaults for settings left unset.
const (
	DefaultTimeout       = gitconfig.DefaultTimeout // network deadline for one get
	DefaultRefreshMargin = fastpath.DefaultRefreshMargin
	// interactiveGrace is added to the deadline of a get that may ask a
	// person (the providers bound the consent wait themselves).
	interactiveGrace = 5 * time.Minute
)

// App is the helper with its dependencies. The zero value uses the real
// ones (network, clock, browser, /dev/tty, git on PATH, the default store).
type App struct {
	HTTP        *http.Client                       // nil: a client with proxy support
	Now         func() time.Time                   // nil: time.Now
	OpenBrowser func(url string) error             // nil: $BROWSER, else the platform opener
	OpenTTY     func() (io.ReadWriteCloser, error) // nil: /dev/tty
	Git         string                             // git binary; "": "git" from PATH
	StoreDir    string                             // "": tokenstore.DefaultDir(env)
	Providers   map[string]auth.Provider           // by bitbucket.kind; nil: DefaultProviders()
	Executable  string                             // this binary, for configure; "": os.Executable
	LookPath    func(file string) (string, error)  // nil: exec.LookPath
	Version     string                             // "": Build.Version, else the build info
	Build       Build                              // what the release build stamped (version.go)
	Interrupt   <-chan os.Signal                   // nil: SIGINT (Ctrl-C) during login
	// StdinIsTerminal reports whether a person typed the command; nil:
	// stdin is a character device (unknown.go).
	StdinIsTerminal func() bool
}

// Main runs the helper with the real dependencies; it returns the exit code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer, env []string) int {
	return (&App{}).Run(args, stdin, stdout, stderr, env)
}

// run is one invocation: the App plus its stdio, environment and the
// redactor that every stderr line and trace goes through.
type run struct {
	app    *App
	env    environ
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	red    *redactor
	msg    *messenger
	now    func() time.Time
	http   *http.Client // nil until client() is first called
	// clockErr is an unusable GIT_CREDENTIAL_BITBUCKET_CLOCK_OFFSET; the
	// invocation refuses to run with it (see dispatch).
	clockErr error
	// gitConfigErr is why git could not read the config when resolve
	// decided a remote is not ours: get stays silent, but a user command
	// that names the remote reports it instead of "not configured".
	gitConfigErr error
}

// Run dispatches args (without the program name) and returns the exit code.
func (a *App) Run(args []string, stdin io.Reader, stdout, stderr io.Writer, env []string) int {
	r, done := a.newRun(stdin, stdout, stderr, env)
	defer done()
	return r.dispatch(args)
}

// newRun sets up one invocation; done closes the trace file. Nothing here
// may cost what the fast path does not need (the HTTP client is built on
// first use, see client).
func (a *App) newRun(stdin io.Reader, stdout, stderr io.Writer, env []string) (*run, func()) {
	r := &run{app: a, env: environ(env), stdin: stdin, stdout: stdout, stderr: stderr, red: &redactor{}}
	r.now = a.Now
	if r.now == nil {
		r.now = time.Now
	}
	offset, err := clockOffset(r.env)
	if err != nil {
		r.clockErr = err
	} else if offset != 0 {
		base := r.now
		r.now = func() time.Time { return base().Add(offset) }
	}
	r.msg = &messenger{stderr: stderr, red: r.red, now: r.now}
	tw, closeTrace, err := openTrace(r.env.get(envPrefix+"TRACE"), stderr)
	if err != nil {
		r.msg.errorf("%v", err)
	}
	r.msg.trace = tw
	return r, closeTrace
}

func (r *run) dispatch(args []string) int {
	if len(args) == 0 {
		io.WriteString(r.stderr, usage)
		return exitUsage
	}
	cmd, rest := args[0], args[1:]
	if wantsHelp(rest) {
		if text, ok := commandHelp[cmd]; ok {
			io.WriteString(r.stdout, text)
			return exitOK
		}
	}
	switch cmd {
	case "-h", "--help", "-help":
		io.WriteString(r.stdout, usage)
		return exitOK
	case "help":
		return r.help(rest)
	case "version", "--version":
		return r.version(rest)
	}
	if r.clockErr != nil {
		r.msg.errorf("%v", r.clockErr)
		switch cmd {
		case "get", "store", "erase":
			return exitOK
		}
		return exitFail
	}
	ctx := context.Background()
	switch cmd {
	case "get", "store", "erase":
		return r.protocolOp(ctx, cmd)
	case "login":
		return r.login(ctx, rest)
	case "logout":
		return r.logout(ctx, rest)
	case "status":
		return r.status(ctx, rest)
	case "doctor":
		return r.doctor(ctx, rest)
	case "token":
		return r.token(ctx, rest)
	case "configure":
		return r.configure(ctx, rest)
	case "completion":
		return r.completion(rest) // completion.go
	case "unconfigure":
		return r.unconfigure(ctx, rest)
	}
	return r.unknownCommand(cmd) // unknown.go: git's future operations pass, typos do not
}

func wantsHelp(args []string) bool {
	for _, a := range args {
		if a == "-h" || a == "--help" || a == "-help" {
			return true
		}
	}
	return false
}

func (r *run) git() string {
	if r.app.Git != "" {
		return r.app.Git
	}
	return "git"
}

func (r *run) providers() map[string]auth.Provider {
	if r.app.Providers != nil {
		return r.app.Providers
	}
	return DefaultProviders()
}

func (r *run) lookPath(file string) (string, error) {
	if r.app.LookPath != nil {
		return r.app.LookPath(file)
	}
	return exec.LookPath(file)
}

func (r *run) executable() (string, error) {
	if r.app.Executable != "" {
		return r.app.Executable, nil
	}
	return os.Executable()
}

// storeDir is the token store directory.
func (r *run) storeDir() (string, error) {
	if r.app.StoreDir != "" {
		return r.app.StoreDir, nil
	}
	return tokenstore.DefaultDir(r.env)
}

// tokenStore is the token store as every command uses it, the one way it is
// built: its directory, the invocation's clock and the OS keyring for the
// records that keep their secrets there. The directory is created on the
// first write (openStore creates it up front).
func (r *run) tokenStore() (*tokenstore.Store, error) {
	dir, err := r.storeDir()
	if err != nil {
		return nil, err
	}
	st := tokenstore.At(dir)
	st.Now, st.Keyring = r.now, oskeyring.System{Env: r.env}
	return st, nil
}

// openStore opens (creating) the token store for writing.
func (r *run) openStore() (*tokenstore.Store, error) {
	st, err := r.tokenStore()
	if err != nil {
		return nil, err
	}
	opened, err := tokenstore.Open(st.Dir)
	if err != nil {
		return nil, err
	}
	opened.Now, opened.Keyring = st.Now, st.Keyring
	return opened, nil
}
