package retry

import (
	"context"
	"net/http"
	"testing"
	"time"
)

func TestPolicyAgain(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		status     int
		retryAfter time.Duration
		used       int // attempts already made
		timeout    time.Duration
		want       bool
	}{
		{"a 404 is final", http.StatusNotFound, 0, 0, time.Minute, false},
		{"a 429 without Retry-After is final", http.StatusTooManyRequests, 0, 0, time.Minute, false},
		{"a 429 with Retry-After waits", http.StatusTooManyRequests, time.Millisecond, 0, time.Minute, true},
		{"a 503 backs off", http.StatusServiceUnavailable, 0, 0, time.Minute, true},
		{"a wait past the deadline is not taken", http.StatusServiceUnavailable, time.Hour, 0, time.Minute, false},
		{"the attempts run out", http.StatusServiceUnavailable, time.Millisecond, maxAttempts - 1, time.Minute, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), tc.timeout)
			defer cancel()
			a := &Attempts{n: tc.used}
			if got := (Policy{}).Again(ctx, a, "op", tc.status, tc.retryAfter); got != tc.want {
				t.Errorf("Again = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestPolicyRetryAfterUsesItsClock(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	h := http.Header{"Retry-After": {now.Add(90 * time.Second).Format(http.TimeFormat)}}
	if got := (Policy{Now: func() time.Time { return now }}).RetryAfter(h); got != 90*time.Second {
		t.Errorf("RetryAfter = %s, want 1m30s", got)
	}
}
