// Package retry holds what both products' HTTP clients share about
// retrying a busy server.
package retry

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// After parses a Retry-After value (RFC 9110 §10.2.3: delay-seconds or an
// HTTP date) relative to now; zero when absent, negative or unparsable.
func After(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil {
		if n < 0 {
			return 0
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// progressAfter is the longest wait before a retry that goes untold:
// a longer one gets a line for the person (Tell).
const progressAfter = 2 * time.Second

// Tell says, through say (nil: nobody to tell), that the server answered
// status and the next attempt comes after wait, when wait exceeds
// progressAfter: "Bitbucket is busy (503); retrying in 4 s".
func Tell(say func(format string, args ...any), status int, wait time.Duration) {
	if say == nil || wait <= progressAfter {
		return
	}
	what := "busy"
	if status == http.StatusTooManyRequests {
		what = "limiting requests"
	}
	secs := int((wait + time.Second - 1) / time.Second) // rounded up: never sooner than said
	say("Bitbucket is %s (%d); retrying in %d s", what, status, secs)
}
