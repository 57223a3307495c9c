package cli

import (
	"sync"
	"testing"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

// TestSlowPathsShareTheRemoteLock: a get without a username and one with
// the git username the record gives both answer from the record kept
// without a username. They must take the same lock, or both spend the
// (rotating) refresh token and the loser overwrites the winner's record.
func TestSlowPathsShareTheRemoteLock(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.put(record("tok-old-123", "rt-0", -time.Hour))
	var mu sync.Mutex
	spent := map[string]int{}
	h.prov.obtain = func(prev *tokenstore.Record, login bool) (*tokenstore.Record, error) {
		mu.Lock()
		spent[prev.RefreshToken]++
		mu.Unlock()
		time.Sleep(100 * time.Millisecond) // hold the lock long enough for the other get to queue
		return record("tok-new-456", "rt-1", 2*time.Hour), nil
	}
	var wg sync.WaitGroup
	for _, in := range []string{request(), request("username=x-token-auth")} {
		wg.Go(func() {
			if out, errOut, code := h.run(in, nil, "get"); code != 0 || errOut != "" || out == "" {
				t.Errorf("get: exit %d, stderr %q, stdout empty: %v", code, errOut, out == "")
			}
		})
	}
	wg.Wait()
	if spent["rt-0"] != 1 || h.prov.callCount() != 1 {
		t.Errorf("refresh token rt-0 spent %d times, provider called %d times; want one refresh", spent["rt-0"], h.prov.callCount())
	}
	recs := h.records()
	if len(recs) != 1 || recs[0].RefreshToken != "rt-1" {
		t.Errorf("stored %v, want one record holding rt-1", recs)
	}
}
