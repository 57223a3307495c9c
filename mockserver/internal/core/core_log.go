package core

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"time"
)

// noteKey is the context key of the per-request *note that annotate fills.
type noteKey struct{}

// note collects what handlers tell annotate about one request.
type note struct {
	mu                  sync.Mutex
	grant, client, user string
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

// Flush lets streaming handlers (git http-backend) flush through the recorder.
func (s *statusRecorder) Flush() {
	if f, ok := s.ResponseWriter.(http.Flusher); ok {
		if s.status == 0 {
			s.status = http.StatusOK
		}
		f.Flush()
	}
}

// Unwrap serves http.ResponseController.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// Wrap puts the shared layers around one side's handler: the Date header on
// the mock clock, the control API
// under /_mock/ (neither logged nor faulted), the request log, and faults.
func (c *Core) Wrap(side string, h http.Handler) http.Handler {
	control := c.controlHandler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Date follows the mock clock, as a real server's follows its own
		// (RFC 9110 §6.6.1: an origin server with a clock sends Date on
		// every response): a client measures clock skew against it
		// (net/http keeps a Date a handler set).
		w.Header().Set("Date", c.Now().UTC().Format(http.TimeFormat))
		if r.URL.Path == "/_mock" || strings.HasPrefix(r.URL.Path, "/_mock/") {
			control.ServeHTTP(w, r)
			return
		}
		n := &note{}
		r = r.WithContext(context.WithValue(r.Context(), noteKey{}, n))
		rec := &statusRecorder{ResponseWriter: w}
		start := c.Now()
		func() {
			if c.applyFault(rec, r) {
				return
			}
			h.ServeHTTP(rec, r)
		}()
		status := rec.status
		if status == 0 {
			status = http.StatusOK
		}
		n.mu.Lock()
		e := LoggedRequest{
			Time: start.UTC(), Side: side, Method: r.Method, Path: r.URL.Path,
			Grant: n.grant, Client: n.client, User: n.user, Status: status,
		}
		n.mu.Unlock()
		c.log.add(e)
		// Path only: a query string may carry an access_token.
		c.Logf("%s %s %s %d", side, r.Method, r.URL.Path, status)
		c.sweepMaybe()
	})
}

// faultEntry is a queued Fault with its remaining count.
type faultEntry struct {
	Fault
	left int
}

// takeFault returns the first queued fault matching r and consumes one use.
func (c *Core) takeFault(r *http.Request) (Fault, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, f := range c.faults {
		if !strings.HasPrefix(r.URL.Path, f.Path) {
			continue
		}
		if f.Method != "" && !strings.EqualFold(f.Method, r.Method) {
			continue
		}
		f.left--
		if f.left <= 0 {
			c.faults = append(c.faults[:i:i], c.faults[i+1:]...)
		}
		return f.Fault, true
	}
	return Fault{}, false
}

// applyFault plays a matching fault. It reports whether the response is
// complete; a fault with only a delay lets the request through afterwards.
func (c *Core) applyFault(w http.ResponseWriter, r *http.Request) bool {
	f, ok := c.takeFault(r)
	if !ok {
		return false
	}
	if f.DelayMS > 0 {
		t := time.NewTimer(time.Duration(f.DelayMS) * time.Millisecond)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return true
		case <-c.closed:
			t.Stop()
			return true
		}
	}
	if f.Hang {
		select {
		case <-r.Context().Done():
		case <-c.closed:
		}
		// Nothing useful reaches a client that left; for the log, 499
		// (client closed request) says what happened.
		w.WriteHeader(499)
		return true
	}
	if f.Status == 0 {
		return false
	}
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	if f.Body != "" {
		ct := "text/plain; charset=utf-8"
		if b := strings.TrimSpace(f.Body); strings.HasPrefix(b, "{") || strings.HasPrefix(b, "[") {
			ct = "application/json"
		} else if strings.HasPrefix(b, "<") {
			ct = "text/html; charset=utf-8"
		}
		w.Header().Set("Content-Type", ct)
	}
	w.WriteHeader(f.Status)
	if f.Body != "" {
		w.Write([]byte(f.Body))
	}
	return true
}
