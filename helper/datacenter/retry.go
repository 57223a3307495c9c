package datacenter

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/internal/retry"
)

// Retries of a Server/DC request, as helper/cloud does them: a 429 or 503
// with Retry-After waits that long, a 503 without it waits firstBackoff,
// doubling; only while the wait ends before the context's deadline, and
// at most maxAttempts requests in all. Only answers are retried, never a
// transport error (whose outcome is unknown: a retried PUT could mint two
// tokens).
const (
	firstBackoff = 250 * time.Millisecond
	maxAttempts  = 10
)

// retryState is the backoff of one request's retries.
type retryState struct {
	attempt int
	backoff time.Duration
}

// again waits before another attempt after an answer with status and
// header h; false (without waiting) when the answer is final, the
// attempts are used up or the wait would not end before ctx's deadline.
func (c *call) again(ctx context.Context, rs *retryState, op string, status int, h http.Header) bool {
	rs.attempt++
	if rs.backoff == 0 {
		rs.backoff = firstBackoff
	}
	wait := retry.After(h.Get("Retry-After"), c.now())
	switch {
	case status == http.StatusServiceUnavailable && wait <= 0:
		wait = rs.backoff
		rs.backoff *= 2
	case status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable:
	default:
		return false
	}
	if wait <= 0 || rs.attempt >= maxAttempts {
		return false
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= wait {
		c.tracef("%s: HTTP %d, a wait of %s does not fit in the timeout", op, status, wait)
		return false
	}
	c.tracef("%s: HTTP %d, retrying after %s", op, status, wait)
	retry.Tell(c.env.Say, status, wait)
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// send builds (and so signs afresh: new nonce and timestamp) and sends a
// request, retrying 429/503 answers (see again). The returned response
// and body are those of the last attempt.
func (c *call) send(ctx context.Context, op, leg string, build func() (*http.Request, error)) (*http.Response, []byte, error) {
	var rs retryState
	for {
		req, err := build()
		if err != nil {
			return nil, nil, err
		}
		resp, body, err := c.do(req, op, leg)
		// An OAuth problem (even on a 503, e.g. consumer_key_refused) is
		// a refusal, not an overload: only plain HTTP errors are retried.
		var he *httpError
		if !errors.As(err, &he) || resp == nil || !c.again(ctx, &rs, op, resp.StatusCode, resp.Header) {
			return resp, body, err
		}
	}
}

// sendJSON is send plus decoding of a JSON body into out (when non-nil).
func (c *call) sendJSON(ctx context.Context, op, leg string, build func() (*http.Request, error), out any) (*http.Response, error) {
	resp, body, err := c.send(ctx, op, leg, func() (*http.Request, error) {
		req, err := build()
		if err == nil {
			req.Header.Set("Accept", "application/json")
		}
		return req, err
	})
	if err != nil {
		return resp, err
	}
	return resp, decodeJSON(op, resp, body, out)
}
