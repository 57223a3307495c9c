package mockserver

import (
	"strings"
	"testing"
	"time"
)

// TestServerSweepNonceWindow: a replayed nonce is refused up to the edge of
// the timestamp window, sweeps notwithstanding; past it the timestamp is
// refused and the nonce is gone from the store.
func TestServerSweepNonceWindow(t *testing.T) {
	t.Parallel()
	run, base := startServer(t, Options{}, nil)
	empty := ""
	margin := 10 * time.Second
	o := o1Req{token: &empty, nonce: "edge-nonce", ts: run.Mock.Now().Add(-o1Window + margin)}
	url := base + "/rest/api/1.0/users/alice"
	if status, _, body := do(t, nil, o.build(t, "GET", url)); status != 200 {
		t.Fatalf("first: %d %s", status, body)
	}
	run.Mock.Advance(time.Second) // sweeps
	if status, h, _ := do(t, nil, o.build(t, "GET", url)); status != 401 || !strings.Contains(h.Get("WWW-Authenticate"), `oauth_problem="nonce_used"`) {
		t.Fatalf("replay inside the window: %d %s", status, h.Get("WWW-Authenticate"))
	}
	run.Mock.Advance(2 * margin)
	if status, h, _ := do(t, nil, o.build(t, "GET", url)); status != 400 || !strings.Contains(h.Get("WWW-Authenticate"), `oauth_problem="timestamp_refused"`) {
		t.Fatalf("replay past the window: %d %s", status, h.Get("WWW-Authenticate"))
	}
	s := run.Mock.server
	s.mu.Lock()
	n := len(s.nonces)
	s.mu.Unlock()
	if n != 0 {
		t.Errorf("%d nonces kept past the window, want 0", n)
	}
}
