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
