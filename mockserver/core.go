// Package mockserver is bitbucket-mock as a library: a faithful offline
// Bitbucket Cloud and Bitbucket Server/Data Center sharing one state, one
// clock, one request log and one fault list.
//
// Contract between the shared core (core*.go, git.go, control.go), the Cloud
// side (cloud_*.go) and the Server/DC side (server_*.go).
package mockserver

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"
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

// Mock is the whole fake: build it with New, serve CloudHandler and
// ServerHandler on two listeners (see Start for the binary's way).
type Mock struct {
	opts        Options
	fixtures    Fixtures
	contextPath string
	gitPath     string
	gitBackend  string // absolute path of git-http-backend
	repos       string // root of all repositories
	tempRepos   bool   // repos is ours to remove
	gitHome     string // empty HOME for every git subprocess

	tmplMu sync.Mutex
	tmpl   string // template bare repository (see ensureRepo)

	log   *requestRing // own lock
	sweep sweeper      // own atomics

	closed      chan struct{} // closed by release: frees hanging faults
	releaseOnce sync.Once
	closeOnce   sync.Once

	offset atomic.Int64 // the clock's advance in nanoseconds; read on every request, so no lock
	// session is who is signed in on the consent pages when set by
	// POST /_mock/session (a browser switching accounts); "" or nil: the
	// fixtures' session_user (session.go).
	session atomic.Pointer[string]

	mu     sync.Mutex // guards everything below
	faults []*faultEntry
	cloud  *cloudState
	server *serverState
	cloudH http.Handler
	servH  http.Handler
}

// New builds a mock from opts and creates the fixture repositories.
func New(opts Options) (*Mock, error) {
	f := opts.Fixtures
	if f == nil {
		f = DefaultFixtures()
	}
	m := &Mock{
		opts:     opts,
		fixtures: *f,
		gitPath:  opts.GitPath,
		closed:   make(chan struct{}),
		log:      newRequestRing(opts.RequestLog),
	}
	if m.gitPath == "" {
		m.gitPath = "git"
	}
	m.contextPath = normalizeContextPath(firstNonEmpty(opts.ContextPath, f.Server.ContextPath, "/bitbucket"))
	m.fixtures.Server.ContextPath = m.contextPath

	if err := m.setupGit(); err != nil {
		m.cleanup()
		return nil, err
	}
	if err := m.buildStates(); err != nil {
		m.cleanup()
		return nil, err
	}
	return m, nil
}

// setupGit finds git-http-backend and prepares the repository root and the
// empty HOME that keeps the host's git configuration out.
func (m *Mock) setupGit() error {
	out, err := exec.Command(m.gitPath, "--exec-path").Output()
	if err != nil {
		return fmt.Errorf("find git exec path: %w", err)
	}
	m.gitBackend = filepath.Join(strings.TrimSpace(string(out)), "git-http-backend")
	if _, err := os.Stat(m.gitBackend); err != nil {
		return fmt.Errorf("find git-http-backend: %w", err)
	}
	m.gitHome, err = os.MkdirTemp("", "bitbucket-mock-home-")
	if err != nil {
		return fmt.Errorf("create git home: %w", err)
	}
	if m.opts.ReposDir == "" {
		m.repos, err = os.MkdirTemp("", "bitbucket-mock-repos-")
		if err != nil {
			return fmt.Errorf("create repository directory: %w", err)
		}
		m.tempRepos = true
	} else {
		m.repos, err = filepath.Abs(m.opts.ReposDir)
		if err != nil {
			return fmt.Errorf("repository directory: %w", err)
		}
		if err := os.MkdirAll(m.repos, 0o755); err != nil {
			return fmt.Errorf("create repository directory: %w", err)
		}
	}
	return nil
}

// buildStates (re)creates both sides from the fixtures.
func (m *Mock) buildStates() error {
	cs, err := newCloudState(m, m.fixtures.Cloud)
	if err != nil {
		return fmt.Errorf("cloud fixtures: %w", err)
	}
	ss, err := newServerState(m, m.fixtures.Server, m.contextPath)
	if err != nil {
		return fmt.Errorf("server fixtures: %w", err)
	}
	ch, sh := cs.handler(), ss.handler()
	m.mu.Lock()
	m.cloud, m.server, m.cloudH, m.servH = cs, ss, ch, sh
	m.mu.Unlock()
	return nil
}

func (m *Mock) cleanup() {
	if m.gitHome != "" {
		os.RemoveAll(m.gitHome)
	}
	if m.tempRepos && m.repos != "" {
		os.RemoveAll(m.repos)
	}
}

// Close releases hanging requests and removes temporary repositories.
func (m *Mock) Close() error {
	m.release()
	m.closeOnce.Do(m.cleanup)
	return nil
}

// release ends every hanging fault (before a server shutdown waits for them).
func (m *Mock) release() {
	m.releaseOnce.Do(func() { close(m.closed) })
}

// CloudHandler serves bitbucket.org + api.bitbucket.org (same origin) and /_mock/.
func (m *Mock) CloudHandler() http.Handler {
	return m.wrap("cloud", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.mu.Lock()
		h := m.cloudH
		m.mu.Unlock()
		h.ServeHTTP(w, r)
	}))
}

// ServerHandler serves Bitbucket Server/DC under the context path, and /_mock/ at the root.
func (m *Mock) ServerHandler() http.Handler {
	return m.wrap("server", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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
func (m *Mock) Now() time.Time {
	return time.Now().Add(time.Duration(m.offset.Load()))
}

// Advance moves the clock forward (negative durations are ignored).
func (m *Mock) Advance(d time.Duration) {
	if d <= 0 {
		return
	}
	m.offset.Add(int64(d))
	m.sweepNow() // /_mock/clock ages stored codes, tokens and nonces too
}

// Reset returns to the fixtures: tokens, codes, nonces, faults, log and clock
// cleared. Repository contents are kept.
func (m *Mock) Reset() {
	m.offset.Store(0)
	m.session.Store(nil)
	m.mu.Lock()
	m.faults = nil
	m.mu.Unlock()
	m.log.clear()
	if err := m.buildStates(); err != nil {
		// The fixtures built once in New; a rebuild can only fail if the
		// repository directory vanished. Keep the old states and say so.
		m.logf("reset: %v", err)
	}
}

// revoke revokes token on whichever side issued it.
func (m *Mock) revoke(token string) bool {
	m.mu.Lock()
	cs, ss := m.cloud, m.server
	m.mu.Unlock()
	c := cs.revoke(token)
	s := ss.revoke(token)
	return c || s
}

func (m *Mock) revokeAll() {
	m.mu.Lock()
	cs, ss := m.cloud, m.server
	m.mu.Unlock()
	cs.revokeAll()
	ss.revokeAll()
}

func (m *Mock) logf(format string, args ...any) {
	if m.opts.Logf != nil {
		m.opts.Logf(format, args...)
	}
}

// reposDir is the root under which cloud/<ws>/<slug>.git and
// server/<project>/<slug>.git live.
func (m *Mock) reposDir() string { return m.repos }

// Fault is one entry of POST /_mock/faults.
type Fault struct {
	Path       string `json:"path"` // path prefix to match (context path included on the server side)
	Method     string `json:"method,omitempty"`
	Status     int    `json:"status,omitempty"`
	Times      int    `json:"times,omitempty"` // 0 = 1
	DelayMS    int    `json:"delay_ms,omitempty"`
	Hang       bool   `json:"hang,omitempty"` // hold until the client goes away (or the mock closes)
	Body       string `json:"body,omitempty"`
	RetryAfter string `json:"retry_after,omitempty"`
}

// AddFault queues a fault.
func (m *Mock) AddFault(f Fault) {
	if f.Times <= 0 {
		f.Times = 1
	}
	m.mu.Lock()
	m.faults = append(m.faults, &faultEntry{Fault: f, left: f.Times})
	m.mu.Unlock()
}

// ClearFaults drops every queued fault.
func (m *Mock) ClearFaults() {
	m.mu.Lock()
	m.faults = nil
	m.mu.Unlock()
}

// annotate records, for the request log, which grant/leg, client and user
// an OAuth or REST handler saw. Handlers of both sides call it; empty
// arguments leave earlier values in place.
func annotate(r *http.Request, grant, client, user string) {
	n, ok := r.Context().Value(noteKey{}).(*note)
	if !ok {
		return
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if grant != "" {
		n.grant = grant
	}
	if client != "" {
		n.client = client
	}
	if user != "" {
		n.user = user
	}
}

var errNotBare = errors.New("exists but is not a bare repository")

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// normalizeContextPath makes "/x" of "x", "/x/" and "/"; the root is "".
func normalizeContextPath(p string) string {
	p = strings.Trim(p, "/")
	if p == "" {
		return ""
	}
	return "/" + p
}

// Side-state contract (core calls these; each side implements its own):
//
//	func newCloudState(m *Mock, f CloudFixtures) (*cloudState, error)
//	func (s *cloudState) handler() http.Handler   // full request path, e.g. /site/oauth2/access_token
//	func (s *cloudState) revoke(token string) bool
//	func (s *cloudState) revokeAll()
//
//	func newServerState(m *Mock, f ServerFixtures, contextPath string) (*serverState, error)
//	func (s *serverState) handler() http.Handler  // full request path including the context path
//	func (s *serverState) revoke(token string) bool
//	func (s *serverState) revokeAll()
//
// Reset rebuilds both states from the fixtures. Repositories are created by
//
//	func (m *Mock) ensureRepo(dir string) error // bare repo, HEAD=main, one initial commit; no-op if present
//	func (m *Mock) reposDir() string            // cloud repos under reposDir()/cloud/<ws>/<slug>.git, server under reposDir()/server/<project>/<slug>.git
