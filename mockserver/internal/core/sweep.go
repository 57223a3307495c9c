package core

import (
	"sync/atomic"
	"time"
)

// Sweeping (issue 15): every per-request store of both sides drops, by
// time on the mock's own clock, what no later answer needs. A sweep runs
// after the request that finds one due (in its own goroutine, one at a
// time) and at once after every Advance, so /_mock/clock ages the stores
// too. Each side's Sweep (sweep.go of cloud and datacenter) decides per
// store what "no longer needed" means.

const (
	// sweepInterval is the most mock time between two sweeps under load.
	sweepInterval = time.Minute
	// sweepMinRequests is the fewest requests between two sweeps; a sweep
	// is also deferred until as many requests as it kept entries, so the
	// scanning costs O(1) per request however much is live.
	sweepMinRequests = 1024
	// ExpiredAnswerKept is how long an expired credential whose answer
	// differs from an unknown one's ("Access token expired." on Cloud,
	// "The OAuth access token has expired." on DC, token_expired for an
	// OAuth 1 request token) keeps that answer; afterwards it is unknown.
	// The mock's choice: Bitbucket does not say how long it remembers.
	ExpiredAnswerKept = 24 * time.Hour
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
func (c *Core) sweepMaybe() {
	n := c.sweep.requests.Add(1)
	if n < c.sweep.threshold.Load() && c.Now().UnixNano()-c.sweep.last.Load() < int64(sweepInterval) {
		return
	}
	if !c.sweep.running.CompareAndSwap(false, true) {
		return
	}
	go func() {
		defer c.sweep.running.Store(false)
		c.SweepNow()
	}()
}

// SweepNow sweeps every side at the mock's current time and returns how
// many entries they kept.
func (c *Core) SweepNow() int {
	now := c.Now()
	kept := 0
	for _, s := range c.sides() {
		kept += s.Sweep(now)
	}
	c.sweep.requests.Store(0)
	c.sweep.threshold.Store(int64(max(sweepMinRequests, kept)))
	c.sweep.last.Store(now.UnixNano())
	return kept
}

// SweepMap deletes the entries of mp that dead reports and returns how many
// it kept. The caller holds the lock guarding mp.
func SweepMap[K comparable, V any](mp map[K]V, dead func(V) bool) int {
	for k, v := range mp {
		if dead(v) {
			delete(mp, k)
		}
	}
	return len(mp)
}
