// Package mockserver is bitbucket-mock as a library: a faithful offline
// Bitbucket Cloud and Bitbucket Server/Data Center sharing one state, one
// clock, one request log and one fault list.
//
// Contract between the shared core (core*.go, git.go, control.go), the Cloud
// side (cloud_*.go) and the Server/DC side (server_*.go). The bodies marked
// "not written yet" are filled in by the core's owner; the signatures stay.
package mockserver

import (
	"net/http"
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
}

// Mock is the whole fake: build it with New, serve CloudHandler and
// ServerHandler on two listeners (see Start for the binary's way).
type Mock struct {
	opts Options
	// core state: clock, request log, faults, repos ... (owned by core)
	// cloud *cloudState   (owned by cloud_*.go)
	// server *serverState (owned by server_*.go)
}

// New builds a mock from opts and creates the fixture repositories.
func New(opts Options) (*Mock, error) { panic("mockserver.New: not written yet") }

// Close removes temporary repositories.
func (m *Mock) Close() error { panic("not written yet") }

// CloudHandler serves bitbucket.org + api.bitbucket.org (same origin) and /_mock/.
func (m *Mock) CloudHandler() http.Handler { panic("not written yet") }

// ServerHandler serves Bitbucket Server/DC under the context path, and /_mock/ at the root.
func (m *Mock) ServerHandler() http.Handler { panic("not written yet") }

// Now is the mock's clock; every expiry and timestamp check uses it.
func (m *Mock) Now() time.Time { panic("not written yet") }

// Advance moves the clock forward.
func (m *Mock) Advance(d time.Duration) { panic("not written yet") }

// Reset returns to the fixtures: tokens, codes, nonces, faults, log and clock cleared.
func (m *Mock) Reset() { panic("not written yet") }

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

// Requests returns the log entries whose path starts with prefix.
func (m *Mock) Requests(prefix string) []LoggedRequest { panic("not written yet") }

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
func (m *Mock) AddFault(f Fault) { panic("not written yet") }

// annotate records, for the request log, which grant/leg, client and user
// an OAuth or REST handler saw. Handlers of both sides call it.
func annotate(r *http.Request, grant, client, user string) { panic("not written yet") }

// serveGit runs `git http-backend` for the bare repository at repoDir (an
// absolute path) after the caller's own authentication, with REMOTE_USER set
// to user; chunked request bodies are de-chunked first (facts E3).
// pathInfo is the part of the URL after the repository directory (e.g. "/info/refs").
func (m *Mock) serveGit(w http.ResponseWriter, r *http.Request, repoDir, pathInfo, user string) {
	panic("not written yet")
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
