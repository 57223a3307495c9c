package core

import (
	"strings"
	"sync"
	"time"
)

// DefaultRequestLog is how many requests the log keeps unless
// Options.RequestLog, --request-log or POST /_mock/requests says otherwise.
const DefaultRequestLog = 10000

// MaxRequestLog bounds the size one may ask for (about 2 KB an entry at
// most, so 200 MB).
const MaxRequestLog = 100000

// requestRing is the request log: the newest size entries, oldest first,
// and a count of the entries pushed out since the last clear, so a test can
// tell "not logged" from "not made". It has its own lock, held only for the
// slice operation.
type requestRing struct {
	mu      sync.Mutex
	buf     []LoggedRequest // len == cap once full
	next    int             // where the next entry goes when full
	size    int
	dropped int64
}

func newRequestRing(size int) *requestRing {
	if size <= 0 {
		size = DefaultRequestLog
	}
	return &requestRing{size: size}
}

// add records e, pushing out the oldest entry when the ring is full.
func (r *requestRing) add(e LoggedRequest) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.buf) < r.size {
		r.buf = append(r.buf, e)
		return
	}
	r.buf[r.next] = e
	r.next = (r.next + 1) % r.size
	r.dropped++
}

// snapshot returns the entries whose path starts with prefix, oldest
// first, and how many entries (of any path) have been dropped.
func (r *requestRing) snapshot(prefix string) ([]LoggedRequest, int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := []LoggedRequest{}
	for i := range len(r.buf) {
		e := r.buf[(r.next+i)%len(r.buf)]
		if strings.HasPrefix(e.Path, prefix) {
			out = append(out, e)
		}
	}
	return out, r.dropped
}

// resize keeps the newest min(n, len) entries; those cut off count as dropped.
func (r *requestRing) resize(n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	old := make([]LoggedRequest, 0, len(r.buf))
	for i := range len(r.buf) {
		old = append(old, r.buf[(r.next+i)%len(r.buf)])
	}
	if len(old) > n {
		r.dropped += int64(len(old) - n)
		old = old[len(old)-n:]
	}
	r.buf, r.next, r.size = old, 0, n
}

// clear empties the log and its dropped count; the size stays.
func (r *requestRing) clear() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.buf, r.next, r.dropped = nil, 0, 0
}

// stats is the current size and dropped count.
func (r *requestRing) stats() (size int, dropped int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.size, r.dropped
}

// LoggedRequest is one entry of GET /_mock/requests.
type LoggedRequest struct {
	Time   time.Time `json:"time"`
	Side   string    `json:"side"` // cloud, server
	Method string    `json:"method"`
	Path   string    `json:"path"`
	Grant  string    `json:"grant,omitempty"`  // OAuth 2 grant type or OAuth 1 leg (request-token, access-token, 3lo, 2lo, 2loi)
	Client string    `json:"client,omitempty"` // client id / consumer key
	User   string    `json:"user,omitempty"`
	Status int       `json:"status"`
}

// Requests returns the log entries whose path starts with prefix, oldest
// first (the newest RequestLogSize requests are kept).
func (c *Core) Requests(prefix string) []LoggedRequest {
	out, _ := c.log.snapshot(prefix)
	return out
}

// RequestLog is Requests plus how many requests (of any path) the ring has
// dropped since New or the last Reset.
func (c *Core) RequestLog(prefix string) ([]LoggedRequest, int64) {
	return c.log.snapshot(prefix)
}

// SetRequestLogSize changes how many requests the log keeps (n > 0); the
// oldest entries beyond n are dropped and counted.
func (c *Core) SetRequestLogSize(n int) {
	if n > 0 {
		c.log.resize(n)
	}
}

// RequestLogSize is how many requests the log keeps.
func (c *Core) RequestLogSize() int {
	n, _ := c.log.stats()
	return n
}
