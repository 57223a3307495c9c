// Package gitconfig reads the bitbucket.* settings for one remote with a
// single `git config -z --get-urlmatch bitbucket <url>` call, applies
// GIT_CREDENTIAL_BITBUCKET_<KEY> environment overrides, and reads secret files.
//
// URL matching is git's own (git-config(1), "--get-urlmatch", and the
// http.<url>.* rules): the scheme must match, the host must match exactly
// including the port, and a path in the config key matches as a prefix on
// '/' boundaries; the most specific match wins.
package gitconfig

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// Settings are the bitbucket.<url>.* keys of the design, typed.
type Settings struct {
	URL string // the remote URL the settings were matched for

	Kind             string // cloud, server, datacenter ("" when not configured)
	Grant            string
	ClientID         string
	ClientSecret     string
	ClientSecretFile string
	ConsumerKey      string
	PrivateKeyFile   string
	User             string
	JWTKey           string
	JWTClientKey     string
	JWTSharedSecret  string
	Scopes           string
	RedirectURL      string
	APIURL           string
	Store            string // auto (default), file, keyring
	Interactive      string // auto (default), never
	Timeout          time.Duration
	RefreshMargin    time.Duration // default 5m
	AuthType         string        // basic (default), bearer
	TokenPermissions string        // default REPO_READ,REPO_WRITE
	TokenExpiryDays  int           // default 1

	// Unknown lists the bitbucket.* variables git config has for the URL
	// that are no setting (a typo such as clientSecretFiel), lowercased as
	// git prints them, sorted; see Suggest.
	Unknown []string
}

// Defaults of the keys that have one (README.md#configuration).
const (
	DefaultRefreshMargin    = 5 * time.Minute // fastpath.DefaultRefreshMargin is this
	DefaultTimeout          = 30 * time.Second
	DefaultTokenPermissions = "REPO_READ,REPO_WRITE"
	DefaultTokenExpiryDays  = 1
	defaultInteractive      = "auto"
	defaultAuthType         = "basic"
	defaultStore            = "auto"
)

// EnvPrefix starts the name of every environment override; the rest is the
// key in upper snake case (clientSecretFile: GIT_CREDENTIAL_BITBUCKET_CLIENT_SECRET_FILE).
const EnvPrefix = "GIT_CREDENTIAL_BITBUCKET_"

func defaults(url string) *Settings {
	return &Settings{
		URL:              url,
		Store:            defaultStore,
		Interactive:      defaultInteractive,
		Timeout:          DefaultTimeout,
		RefreshMargin:    DefaultRefreshMargin,
		AuthType:         defaultAuthType,
		TokenPermissions: DefaultTokenPermissions,
		TokenExpiryDays:  DefaultTokenExpiryDays,
	}
}

// Load runs git (the binary path; "git" when empty) once and returns the
// settings for url, with env (KEY=VALUE list) overrides applied.
//
// env is also the environment of the git subprocess (nil: this process's
// environment), so GIT_CONFIG_GLOBAL, GIT_CONFIG_NOSYSTEM, GIT_DIR and
// friends apply; git runs in the current directory, so the repository's own
// config counts as it does for git. An override that is set but empty is
// ignored, and so is a config value that is empty (it resets the key to its
// default, also over a less specific URL's value).
func Load(ctx context.Context, git, url string, env []string) (*Settings, error) {
	raw, err := runGitConfig(ctx, git, url, env)
	if err != nil {
		return nil, err
	}
	return apply(url, raw, env)
}

// Parse returns the settings for url that values (by key name, any case)
// give, defaults for the rest, with no environment override: what
// configure is about to write, checked before it is.
func Parse(url string, values map[string]string) (*Settings, error) {
	raw := map[string]string{}
	for k, v := range values {
		raw[strings.ToLower(k)] = v
	}
	return apply(url, raw, []string{})
}

func apply(url string, raw map[string]string, env []string) (*Settings, error) {
	s := defaults(url)
	s.Unknown = unknownKeys(raw)
	for _, k := range keys {
		value, source := raw[strings.ToLower(k.name)], "bitbucket."+k.name
		if v, ok := lookupEnv(env, EnvPrefix+k.env); ok {
			value, source = v, EnvPrefix+k.env
		}
		if value == "" {
			continue
		}
		if err := k.set(s, value); err != nil {
			shown := fmt.Sprintf("%q", value)
			if k.secret {
				shown = "(hidden)"
			}
			return nil, &invalidValueError{Source: source, Shown: shown, Err: err, RemoteConfigured: remoteConfigured(raw, env)}
		}
	}
	return s, nil
}

// invalidValueError is a bitbucket.* setting (or its environment override)
// that cannot be used. RemoteConfigured says whether bitbucket.kind or
// bitbucket.grant is set for the URL at all, so a caller can tell a
// misconfigured Bitbucket remote from a bad global value that should not
// concern remotes it does not serve.
type invalidValueError struct {
	Source           string // bitbucket.<key> or the environment variable
	Shown            string // the value quoted, or "(hidden)" for secrets
	Err              error
	RemoteConfigured bool
}

func (e *invalidValueError) Error() string {
	return fmt.Sprintf("invalid %s %s: %v", e.Source, e.Shown, e.Err)
}

func (e *invalidValueError) Unwrap() error { return e.Err }

// remoteConfigured reports whether kind or grant is set, in config or env.
func remoteConfigured(raw map[string]string, env []string) bool {
	for _, k := range []string{"KIND", "GRANT"} {
		if v, ok := lookupEnv(env, EnvPrefix+k); ok && v != "" {
			return true
		}
	}
	return raw["kind"] != "" || raw["grant"] != ""
}

// runGitConfig runs `git config -z --get-urlmatch bitbucket <url>` and
// returns the values by lowercased variable name ("clientid").
func runGitConfig(ctx context.Context, git, url string, env []string) (map[string]string, error) {
	if git == "" {
		git = "git"
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, git, "config", "-z", "--get-urlmatch", "bitbucket", url)
	if env != nil {
		cmd.Env = env
	}
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		return nil, fmt.Errorf("git config: %w", ctx.Err())
	}
	var exit *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &exit) && exit.ExitCode() == 1 && stdout.Len() == 0 && stderr.Len() == 0:
		return nil, nil // nothing configured for url
	case errors.As(err, &exit):
		msg, _, _ := strings.Cut(strings.TrimSpace(stderr.String()), "\n")
		if msg == "" {
			msg = "no error message"
		}
		return nil, fmt.Errorf("git config --get-urlmatch bitbucket: %s (%v)", strings.TrimSpace(msg), exit)
	default:
		return nil, fmt.Errorf("run git config: %w", err)
	}
	return parseZ(stdout.Bytes()), nil
}

// parseZ parses `git config -z` output: entries end in NUL, and the key is
// separated from the value by a newline (no newline: a key without value,
// treated as empty). Keys are "bitbucket.<var>" with <var> lowercased.
func parseZ(out []byte) map[string]string {
	raw := map[string]string{}
	for _, entry := range bytes.Split(out, []byte{0}) {
		key, value, _ := bytes.Cut(entry, []byte{'\n'})
		name, ok := strings.CutPrefix(strings.ToLower(string(key)), "bitbucket.")
		if !ok || name == "" {
			continue
		}
		raw[name] = string(value)
	}
	return raw
}

// lookupEnv finds name in env; the last entry wins, as in os/exec. An empty
// value counts as unset.
func lookupEnv(env []string, name string) (string, bool) {
	value := ""
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok && k == name {
			value = v
		}
	}
	return value, value != ""
}

// Configured reports whether bitbucket.kind or bitbucket.grant is set for
// the URL: the remote is served even if it is not bitbucket.org.
func (s *Settings) Configured() bool {
	return s.Kind != "" || s.Grant != ""
}
