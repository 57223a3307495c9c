package mockserver

import (
	"sync/atomic"
	"time"
)

// Sweeping (issue 15): every per-request store of both sides drops, by
// time on the mock's own clock, what no later answer needs. A sweep runs
// after the request that finds one due (in its own goroutine, one at a
// time) and at once after every Advance, so /_mock/clock ages the stores
// too. Each side's sweep (cloud_sweep.go, server_sweep.go) decides per
// store what "no longer needed" means.

const (
	// sweepInterval is the most mock time between two sweeps under load.
	sweepInterval = time.Minute
	// sweepMinRequests is the fewest requests between two sweeps; a sweep
	// is also deferred until as many requests as it kept entries, so the
	// scanning costs O(1) per request however much is live.
	sweepMinRequests = 1024
	// expiredAnswerKept is how long an expired credential whose answer
	// differs from an unknown one's ("Access token expired." on Cloud,
	// "The OAuth access token has expired." on DC, token_expired for an
	// OAuth 1 request token) keeps that answer; afterwards it is unknown.
	// The mock's choice: Bitbucket does not say how long it remembers.
	expiredAnswerKept = 24 * time.Hour
)

// sweeper decides when the next sweep is due. Atomics only: the check runs
// on every request.
type sweeper struct {
	running   atomic.Bool
	requests  atomic.Int64 // since the last sweep
	threshold atomic.Int64 // requests before the next sweep is due
	last      atomic.Int64 // mock time of the last sweep, Unix nanoseconds
}

// sweepMaybe starts a sweep in the background when one is due.
func (m *Mock) sweepMaybe() {
	n := m.sweep.requests.Add(1)
	if n < m.sweep.threshold.Load() && m.Now().UnixNano()-m.sweep.last.Load() < int64(sweepInterval) {
		return
	}
	if !m.sweep.running.CompareAndSwap(false, true) {
		return
	}
	go func() {
		defer m.sweep.running.Store(false)
		m.sweepNow()
	}()
}

// sweepNow sweeps both sides at the mock's current time and returns how
// many entries they kept.
func (m *Mock) sweepNow() int {
	m.mu.Lock()
	cs, ss := m.cloud, m.server
	m.mu.Unlock()
	now := m.Now()
	kept := 0
	if cs != nil {
		kept += cs.sweep(now)
	}
	if ss != nil {
		kept += ss.sweep(now)
	}
	m.sweep.requests.Store(0)
	m.sweep.threshold.Store(int64(max(sweepMinRequests, kept)))
	m.sweep.last.Store(now.UnixNano())
	return kept
}

// sweepMap deletes the entries of mp that dead reports and returns how many
// it kept. The caller holds the lock guarding mp.
func sweepMap[K comparable, V any](mp map[K]V, dead func(V) bool) int {
	for k, v := range mp {
		if dead(v) {
			delete(mp, k)
		}
	}
	return len(mp)
}
