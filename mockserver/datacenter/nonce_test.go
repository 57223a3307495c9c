package datacenter

import (
	"strings"
	"testing"
	"time"

	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/testsupport"
)

// TestServerSweepNonceWindow: a replayed nonce is refused up to the edge of
// the timestamp window, sweeps notwithstanding; past it the timestamp is
// refused and the nonce is gone from the store.
func TestServerSweepNonceWindow(t *testing.T) {
	t.Parallel()
	run, base := startServer(t, testOptions{}, nil)
	empty := ""
	margin := 10 * time.Second
	o := o1Req{Token: &empty, Nonce: "edge-nonce", TS: run.Mock.Now().Add(-o1Window + margin)}
	url := base + "/rest/api/1.0/users/alice"
	if status, _, body := testsupport.Do(t, nil, o.Build(t, "GET", url)); status != 200 {
		t.Fatalf("first: %d %s", status, body)
	}
	run.Mock.Advance(time.Second) // sweeps
	if status, h, _ := testsupport.Do(t, nil, o.Build(t, "GET", url)); status != 401 || !strings.Contains(h.Get("WWW-Authenticate"), `oauth_problem="nonce_used"`) {
		t.Fatalf("replay inside the window: %d %s", status, h.Get("WWW-Authenticate"))
	}
	run.Mock.Advance(2 * margin)
	if status, h, _ := testsupport.Do(t, nil, o.Build(t, "GET", url)); status != 400 || !strings.Contains(h.Get("WWW-Authenticate"), `oauth_problem="timestamp_refused"`) {
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
func TestOAuth1NonceReplayAndPruning(t *testing.T) {
	t.Parallel()
	run, base := startServer(t, testOptions{}, nil)
	empty := ""
	o := o1Req{Token: &empty, Nonce: "same-nonce", TS: time.Now()}
	if status, _, body := testsupport.Do(t, nil, o.Build(t, "GET", base+"/rest/api/1.0/users/alice")); status != 200 {
		t.Fatalf("first: %d %s", status, body)
	}
	status, h, _ := testsupport.Do(t, nil, o.Build(t, "GET", base+"/rest/api/1.0/users/alice"))
	if status != 401 || !strings.Contains(h.Get("WWW-Authenticate"), `oauth_problem="nonce_used"`) {
		t.Fatalf("replay: %d %s", status, h.Get("WWW-Authenticate"))
	}
	// Same nonce, another timestamp: a different (consumer, timestamp, nonce).
	o.TS = o.TS.Add(-2 * time.Second)
	if status, _, body := testsupport.Do(t, nil, o.Build(t, "GET", base+"/rest/api/1.0/users/alice")); status != 200 {
		t.Fatalf("same nonce, other timestamp: %d %s", status, body)
	}
	s := run.Mock.server
	s.mu.Lock()
	before := len(s.nonces)
	s.mu.Unlock()
	if before != 2 {
		t.Fatalf("nonces stored = %d, want 2", before)
	}
	// Once the window has passed, the old nonces are forgotten.
	run.Mock.Advance(6 * time.Minute)
	o = o1Req{Token: &empty, TS: run.Mock.Now()}
	if status, _, body := testsupport.Do(t, nil, o.Build(t, "GET", base+"/rest/api/1.0/users/alice")); status != 200 {
		t.Fatalf("after advance: %d %s", status, body)
	}
	s.mu.Lock()
	after := len(s.nonces)
	s.mu.Unlock()
	if after != 1 {
		t.Errorf("nonces stored after the window = %d, want 1", after)
	}
}
