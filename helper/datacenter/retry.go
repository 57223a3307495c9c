package datacenter

import (
	"context"
	"errors"
	"net/http"

	"github.com/bbcred/git-credential-bitbucket/helper/internal/retry"
)

// retryPolicy is the one retry policy (retry.Policy) with the call's
// clock, trace and person.
func (c *call) retryPolicy() retry.Policy {
	return retry.Policy{Now: c.now, Trace: c.tracef, Say: c.env.Say}
}

// again waits before another attempt after an answer with status and
// header h (retry.Policy.Again).
func (c *call) again(ctx context.Context, a *retry.Attempts, op string, status int, h http.Header) bool {
	p := c.retryPolicy()
	return p.Again(ctx, a, op, status, p.RetryAfter(h))
}

// send builds (and so signs afresh: new nonce and timestamp) and sends a
// request, retrying 429/503 answers (see again). The returned response
// and body are those of the last attempt.
func (c *call) send(ctx context.Context, op, leg string, build func() (*http.Request, error)) (*http.Response, []byte, error) {
	var rs retry.Attempts
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
