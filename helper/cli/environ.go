package cli

import (
	"fmt"
	"github.com/bbcred/git-credential-bitbucket/helper/fastpath"
	"strings"
	"time"
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

// flag reports whether key is set to one of git's true spellings.
func (e environ) flag(key string) bool {
	switch strings.ToLower(strings.TrimSpace(e.get(key))) {
	case "1", "true", "yes", "on":
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
	return fastpath.EnvDuration(e.get(envPrefix + key))
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
