package retry

import (
	"context"
	"net/http"
	"time"
)

// The one retry policy of both products' token and REST requests: a 429
// or 503 with Retry-After waits that long, a 503 without it waits
// firstBackoff, doubling; only while the wait ends before the context's
// deadline, and at most maxAttempts requests in all. Only answers are
// retried, never a transport error (whose outcome is unknown: a retried
// PUT could mint two tokens).
const (
	firstBackoff = 250 * time.Millisecond
	maxAttempts  = 10
)

// Policy retries one product's requests. The zero value retries by the
// constants above and tells nobody.
type Policy struct {
	// Now is the clock a Retry-After date is read against; nil means
	// time.Now.
	Now func() time.Time
	// Trace and Say (either nil) get the trace lines and the line for the
	// person (Tell).
	Trace, Say func(format string, args ...any)
}

// Attempts is the retry state of one request; its zero value starts one.
type Attempts struct {
	n       int
	backoff time.Duration
}

// RetryAfter parses h's Retry-After (After) with the policy's clock.
func (p Policy) RetryAfter(h http.Header) time.Duration {
	now := time.Now
	if p.Now != nil {
		now = p.Now
	}
	return After(h.Get("Retry-After"), now())
}

// Again waits before another attempt of op after an answer with status
// and the Retry-After wait retryAfter (zero: none); false (without
// waiting) when the answer is final, the attempts are used up, the wait
// would not end before ctx's deadline, or ctx ends while waiting.
func (p Policy) Again(ctx context.Context, a *Attempts, op string, status int, retryAfter time.Duration) bool {
	a.n++
	if a.backoff == 0 {
		a.backoff = firstBackoff
	}
	wait := retryAfter
	switch {
	case status == http.StatusServiceUnavailable && wait <= 0:
		wait = a.backoff
		a.backoff *= 2
	case status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable:
	default:
		return false
	}
	if wait <= 0 || a.n >= maxAttempts {
		return false
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= wait {
		p.trace("%s: HTTP %d, a wait of %s does not fit in the timeout", op, status, wait)
		return false
	}
	p.trace("%s: HTTP %d, retrying after %s", op, status, wait)
	Tell(p.Say, status, wait)
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func (p Policy) trace(format string, args ...any) {
	if p.Trace != nil {
		p.Trace(format, args...)
	}
}
