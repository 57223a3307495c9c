package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/internal/consent"
)

// environ is the process environment as KEY=VALUE entries; the last entry
// for a key wins, as in os/exec.
type environ []string

func (e environ) get(key string) string {
	val := ""
	for _, kv := range e {
		if k, v, ok := strings.Cut(kv, "="); ok && k == key {
			val = v
		}
	}
	return val
}

// envPrefix starts the environment overrides of bitbucket.* settings.
const envPrefix = "GIT_CREDENTIAL_BITBUCKET_"

// falsy reports whether v is one of git's false spellings.
func falsy(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "0", "false", "no", "off":
		return true
	}
	return false
}

// terminalPromptOff reports GIT_TERMINAL_PROMPT=0 (or another false value).
func (e environ) terminalPromptOff() bool {
	for _, kv := range e {
		if k, _, ok := strings.Cut(kv, "="); ok && k == "GIT_TERMINAL_PROMPT" {
			return falsy(e.get("GIT_TERMINAL_PROMPT"))
		}
	}
	return false
}

// duration reads the duration override GIT_CREDENTIAL_BITBUCKET_<key>;
// false when unset or unparsable (gitconfig reports those on the slow path).
func (e environ) duration(key string) (time.Duration, bool) {
	v := e.get(envPrefix + key)
	if v == "" {
		return 0, false
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, false
	}
	return d, true
}

// clockOffset reads GIT_CREDENTIAL_BITBUCKET_CLOCK_OFFSET, a testing aid
// for bitbucket-mock: the helper's clock runs that far ahead of the wall
// clock (expiry checks, OAuth 1 timestamps, JWT iat/exp), the way
// POST /_mock/clock moves the mock's, so that time passes for both.
func clockOffset(e environ) (time.Duration, error) {
	const key = envPrefix + "CLOCK_OFFSET"
	v := strings.TrimSpace(e.get(key))
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("invalid %s %q: want a duration of zero or more such as 2h1m", key, oneLine(v))
	}
	return d, nil
}

// browserOpener returns the function that opens a URL in the user's
// browser: $BROWSER when set (a colon-separated list of commands as
// xdg-open reads it; "%s" in a command is replaced by the URL, otherwise
// the URL is appended as the last argument), else the platform opener.
// The browser runs detached from the helper's stdio, so it can never write
// on the stdout git reads.
func browserOpener(env environ) func(url string) error {
	return func(url string) error {
		var cands [][]string
		if b := env.get("BROWSER"); b != "" {
			for _, c := range strings.Split(b, ":") {
				if f := strings.Fields(c); len(f) > 0 {
					cands = append(cands, f)
				}
			}
		} else {
			switch runtime.GOOS {
			case "darwin":
				cands = [][]string{{"open"}}
			case "windows":
				cands = [][]string{{"rundll32", "url.dll,FileProtocolHandler"}}
			default:
				if env.get("DISPLAY") == "" && env.get("WAYLAND_DISPLAY") == "" {
					// xdg-open would fall back to a text browser that
					// takes over the terminal: use the paste flow instead.
					return errors.New("no graphical session and $BROWSER is not set")
				}
				cands = [][]string{{"xdg-open"}}
			}
		}
		if len(cands) == 0 {
			return errors.New("$BROWSER names no command")
		}
		var errs []error
		for _, c := range cands {
			args := make([]string, 0, len(c)+1)
			replaced := false
			for _, a := range c[1:] {
				if strings.Contains(a, "%s") {
					a = strings.ReplaceAll(a, "%s", url)
					replaced = true
				}
				args = append(args, a)
			}
			if !replaced {
				args = append(args, url)
			}
			cmd := exec.Command(c[0], args...)
			cmd.Env = consent.BrowserEnv(env) // no GIT_CREDENTIAL_BITBUCKET_* secrets (issue 10)
			if err := cmd.Start(); err != nil {
				errs = append(errs, fmt.Errorf("start %s: %w", c[0], err))
				continue
			}
			go cmd.Wait() // reap; the browser's outcome arrives through the redirect
			return nil
		}
		return errors.Join(errs...)
	}
}

// openTTY opens the controlling terminal; it fails when there is none.
func openTTY() (io.ReadWriteCloser, error) {
	return os.OpenFile("/dev/tty", os.O_RDWR, 0)
}
