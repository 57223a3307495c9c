// Package mockserver is bitbucket-mock as a library: a faithful offline
// Bitbucket Cloud (mockserver/cloud) and Bitbucket Server/Data Center
// (mockserver/datacenter) over one shared core (mockserver/internal/core):
// one clock, one request log and one fault list. New, Start and RunCLI are
// the one entry point of tests and the binary.
package mockserver

import (
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/bbcred/git-credential-bitbucket/mockserver/cloud"
	"github.com/bbcred/git-credential-bitbucket/mockserver/datacenter"
	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/core"
)

// Options configure a Mock.
type Options struct {
	Fixtures    *Fixtures                        // nil: DefaultFixtures()
	ReposDir    string                           // where bare repositories live; "" = a temporary directory removed by Close
	AutoApprove bool                             // skip consent pages on both sides
	ContextPath string                           // overrides Fixtures.Server.ContextPath when non-empty
	GitPath     string                           // git binary; "" = "git" from PATH
	Logf        func(format string, args ...any) // logs (stderr in the binary); nil = discard
	TLSDir      string                           // Start only: serve HTTPS with a generated CA written to TLSDir/ca.pem
	RequestLog  int                              // request log entries kept (a ring); 0 = DefaultRequestLog
}

// Fault is one entry of POST /_mock/faults.
type Fault = core.Fault

// LoggedRequest is one entry of GET /_mock/requests.
type LoggedRequest = core.LoggedRequest

// DefaultRequestLog is how many requests the log keeps unless
// Options.RequestLog, --request-log or POST /_mock/requests says otherwise.
const DefaultRequestLog = core.DefaultRequestLog

// MaxRequestLog bounds the size one may ask for.
const MaxRequestLog = core.MaxRequestLog

// Mock is the whole fake: build it with New, serve CloudHandler and
// ServerHandler on two listeners (see Start for the binary's way).
type Mock struct {
	core        *core.Core
	opts        Options
	fixtures    Fixtures
	contextPath string

	mu     sync.Mutex // guards everything below
	cloud  *cloud.State
	server *datacenter.State
	cloudH http.Handler
	servH  http.Handler
}

// New builds a mock from opts and creates the fixture repositories.
func New(opts Options) (*Mock, error) {
	f := opts.Fixtures
	if f == nil {
		f = DefaultFixtures()
	}
	m := &Mock{opts: opts, fixtures: *f}
	m.contextPath = core.NormalizeContextPath(core.FirstNonEmpty(opts.ContextPath, f.Server.ContextPath, "/bitbucket"))
	m.fixtures.Server.ContextPath = m.contextPath
	c, err := core.New(core.Config{
		ReposDir: opts.ReposDir, GitPath: opts.GitPath, Logf: opts.Logf, RequestLog: opts.RequestLog,
		Sides: m.sides, Rebuild: m.buildStates, Control: m.control,
	})
	if err != nil {
		return nil, err
	}
	m.core = c
	if err := m.buildStates(); err != nil {
		c.Close()
		return nil, err
	}
	return m, nil
}

// buildStates (re)creates both sides from the fixtures.
func (m *Mock) buildStates() error {
	cs, err := cloud.New(m.core, m.fixtures.Cloud, m.opts.AutoApprove)
	if err != nil {
		return fmt.Errorf("cloud fixtures: %w", err)
	}
	ss, err := datacenter.New(m.core, m.fixtures.Server, m.contextPath, m.opts.AutoApprove)
	if err != nil {
		return fmt.Errorf("server fixtures: %w", err)
	}
	ch, sh := cs.Handler(), ss.Handler()
	m.mu.Lock()
	m.cloud, m.server, m.cloudH, m.servH = cs, ss, ch, sh
	m.mu.Unlock()
	return nil
}

// sides are the current states, for the core's sweeps and revocations.
func (m *Mock) sides() []core.Side {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []core.Side
	if m.cloud != nil {
		out = append(out, m.cloud)
	}
	if m.server != nil {
		out = append(out, m.server)
	}
	return out
}

// cloudSide is the current Cloud state (Reset replaces it).
func (m *Mock) cloudSide() *cloud.State {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.cloud
}

// control adds the products' own control routes.
func (m *Mock) control(mux *http.ServeMux) {
	mux.HandleFunc("/_mock/cloud/refresh", func(w http.ResponseWriter, r *http.Request) {
		m.cloudSide().HandleRefreshControl(w, r)
	})
	mux.HandleFunc("POST /_mock/cloud/refresh/token", func(w http.ResponseWriter, r *http.Request) {
		m.cloudSide().HandleRefreshToken(w, r)
	})
	mux.HandleFunc("POST /_mock/session", m.handleSession) // session.go
}

// CloudHandler serves bitbucket.org + api.bitbucket.org (same origin) and /_mock/.
func (m *Mock) CloudHandler() http.Handler {
	return m.core.Wrap("cloud", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.mu.Lock()
		h := m.cloudH
		m.mu.Unlock()
		h.ServeHTTP(w, r)
	}))
}

// ServerHandler serves Bitbucket Server/DC under the context path, and /_mock/ at the root.
func (m *Mock) ServerHandler() http.Handler {
	return m.core.Wrap("server", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.mu.Lock()
		h := m.servH
		m.mu.Unlock()
		h.ServeHTTP(w, r)
	}))
}

// ContextPath is the Server/DC context path in effect ("/bitbucket", or "" for the root).
func (m *Mock) ContextPath() string { return m.contextPath }

// Fixtures returns a copy of the fixtures the mock was built from.
func (m *Mock) Fixtures() Fixtures { return m.fixtures }

// Now is the mock's clock: the real time plus every Advance since New or
// the last Reset. Every expiry and timestamp check uses it.
func (m *Mock) Now() time.Time { return m.core.Now() }

// Advance moves the clock forward (negative durations are ignored); the
// stores are swept at the new time.
func (m *Mock) Advance(d time.Duration) { m.core.Advance(d) }

// Reset returns to the fixtures: tokens, codes, nonces, faults, log and clock
// cleared. Repository contents are kept.
func (m *Mock) Reset() { m.core.Reset() }

// AddFault queues a fault.
func (m *Mock) AddFault(f Fault) { m.core.AddFault(f) }

// ClearFaults drops every queued fault.
func (m *Mock) ClearFaults() { m.core.ClearFaults() }

// Requests returns the log entries whose path starts with prefix, oldest
// first (the newest RequestLogSize requests are kept).
func (m *Mock) Requests(prefix string) []LoggedRequest { return m.core.Requests(prefix) }

// RequestLog is Requests plus how many requests (of any path) the ring has
// dropped since New or the last Reset.
func (m *Mock) RequestLog(prefix string) ([]LoggedRequest, int64) { return m.core.RequestLog(prefix) }

// SetRequestLogSize changes how many requests the log keeps (n > 0); the
// oldest entries beyond n are dropped and counted.
func (m *Mock) SetRequestLogSize(n int) { m.core.SetRequestLogSize(n) }

// RequestLogSize is how many requests the log keeps.
func (m *Mock) RequestLogSize() int { return m.core.RequestLogSize() }

// Close releases hanging requests and removes temporary repositories.
func (m *Mock) Close() error { return m.core.Close() }
