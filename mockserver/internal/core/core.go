// Package core is what both products of bitbucket-mock share: the clock,
// the fault list, the request log, the git backend (bare repositories served
// by git-http-backend), the sweeping schedule, the Date header and the
// /_mock/ control API. It knows nothing of Cloud or Data Center: each product
// (mockserver/cloud, mockserver/datacenter) is a Side that core sweeps,
// revokes on and wraps.
package core

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

// Side is one product's state as the core drives it.
type Side interface {
	// Sweep drops what no later answer needs at now and returns how many
	// entries it kept (this package's sweep.go says when it runs).
	Sweep(now time.Time) int
	// Revoke revokes token if this side issued it.
	Revoke(token string) bool
	// RevokeAll revokes everything this side issued.
	RevokeAll()
}

// Config configures a Core.
type Config struct {
	ReposDir   string                           // where bare repositories live; "" = a temporary directory removed by Close
	GitPath    string                           // git binary; "" = "git" from PATH
	Logf       func(format string, args ...any) // nil = discard
	RequestLog int                              // request log entries kept (a ring); 0 = DefaultRequestLog

	// Sides returns the current sides (they change on Reset); nil entries are skipped.
	Sides func() []Side
	// Rebuild recreates the sides from their fixtures on Reset.
	Rebuild func() error
	// Control registers product-specific control routes (under /_mock/).
	Control func(mux *http.ServeMux)
}

// Core is the shared part of one mock. Build it with New.
type Core struct {
	cfg        Config
	gitPath    string
	gitBackend string // absolute path of git-http-backend
	repos      string // root of all repositories
	tempRepos  bool   // repos is ours to remove
	gitHome    string // empty HOME for every git subprocess

	tmplMu sync.Mutex
	tmpl   string // template bare repository (see EnsureRepo)

	log   *requestRing // own lock
	sweep sweeper      // own atomics

	closed      chan struct{} // closed by Release: frees hanging faults
	releaseOnce sync.Once
	closeOnce   sync.Once

	offset atomic.Int64 // the clock's advance in nanoseconds; read on every request, so no lock
	// session is who is signed in on the consent pages when set by
	// POST /_mock/session (a browser switching accounts); "" or nil: each
	// side's fixture session_user.
	session atomic.Pointer[string]

	mu     sync.Mutex // guards faults
	faults []*faultEntry
}

// New finds git-http-backend and prepares the repository root.
func New(cfg Config) (*Core, error) {
	c := &Core{
		cfg:     cfg,
		gitPath: cfg.GitPath,
		closed:  make(chan struct{}),
		log:     newRequestRing(cfg.RequestLog),
	}
	if c.gitPath == "" {
		c.gitPath = "git"
	}
	if err := c.setupGit(); err != nil {
		c.cleanup()
		return nil, err
	}
	return c, nil
}

// setupGit finds git-http-backend and prepares the repository root and the
// empty HOME that keeps the host's git configuration out.
func (c *Core) setupGit() error {
	out, err := exec.Command(c.gitPath, "--exec-path").Output()
	if err != nil {
		return fmt.Errorf("find git exec path: %w", err)
	}
	c.gitBackend = filepath.Join(strings.TrimSpace(string(out)), "git-http-backend")
	if _, err := os.Stat(c.gitBackend); err != nil {
		return fmt.Errorf("find git-http-backend: %w", err)
	}
	c.gitHome, err = os.MkdirTemp("", "bitbucket-mock-home-")
	if err != nil {
		return fmt.Errorf("create git home: %w", err)
	}
	if c.cfg.ReposDir == "" {
		c.repos, err = os.MkdirTemp("", "bitbucket-mock-repos-")
		if err != nil {
			return fmt.Errorf("create repository directory: %w", err)
		}
		c.tempRepos = true
	} else {
		c.repos, err = filepath.Abs(c.cfg.ReposDir)
		if err != nil {
			return fmt.Errorf("repository directory: %w", err)
		}
		if err := os.MkdirAll(c.repos, 0o755); err != nil {
			return fmt.Errorf("create repository directory: %w", err)
		}
	}
	return nil
}

func (c *Core) cleanup() {
	if c.gitHome != "" {
		os.RemoveAll(c.gitHome)
	}
	if c.tempRepos && c.repos != "" {
		os.RemoveAll(c.repos)
	}
}

// Close releases hanging requests and removes temporary repositories.
func (c *Core) Close() error {
	c.Release()
	c.closeOnce.Do(c.cleanup)
	return nil
}

// Release ends every hanging fault (before a server shutdown waits for them).
func (c *Core) Release() {
	c.releaseOnce.Do(func() { close(c.closed) })
}

// Now is the mock's clock: the real time plus every Advance since New or
// the last Reset. Every expiry and timestamp check uses it.
func (c *Core) Now() time.Time {
	return time.Now().Add(time.Duration(c.offset.Load()))
}

// Advance moves the clock forward (negative durations are ignored).
func (c *Core) Advance(d time.Duration) {
	if d <= 0 {
		return
	}
	c.offset.Add(int64(d))
	c.SweepNow() // /_mock/clock ages stored codes, tokens and nonces too
}

// Reset returns to the fixtures: tokens, codes, nonces, faults, log and clock
// cleared. Repository contents are kept.
func (c *Core) Reset() {
	c.offset.Store(0)
	c.session.Store(nil)
	c.ClearFaults()
	c.log.clear()
	if c.cfg.Rebuild == nil {
		return
	}
	if err := c.cfg.Rebuild(); err != nil {
		// The fixtures built once in New; a rebuild can only fail if the
		// repository directory vanished. Keep the old states and say so.
		c.Logf("reset: %v", err)
	}
}

// sides are the current sides, nil ones left out.
func (c *Core) sides() []Side {
	if c.cfg.Sides == nil {
		return nil
	}
	var out []Side
	for _, s := range c.cfg.Sides() {
		if s != nil {
			out = append(out, s)
		}
	}
	return out
}

// revoke revokes token on whichever side issued it (asking every side).
func (c *Core) revoke(token string) bool {
	hit := false
	for _, s := range c.sides() {
		if s.Revoke(token) {
			hit = true
		}
	}
	return hit
}

func (c *Core) revokeAll() {
	for _, s := range c.sides() {
		s.RevokeAll()
	}
}

// Logf logs through Config.Logf.
func (c *Core) Logf(format string, args ...any) {
	if c.cfg.Logf != nil {
		c.cfg.Logf(format, args...)
	}
}

// ReposDir is the root under which cloud/<ws>/<slug>.git and
// server/<project>/<slug>.git live.
func (c *Core) ReposDir() string { return c.repos }

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
func (c *Core) AddFault(f Fault) {
	if f.Times <= 0 {
		f.Times = 1
	}
	c.mu.Lock()
	c.faults = append(c.faults, &faultEntry{Fault: f, left: f.Times})
	c.mu.Unlock()
}

// ClearFaults drops every queued fault.
func (c *Core) ClearFaults() {
	c.mu.Lock()
	c.faults = nil
	c.mu.Unlock()
}

// Annotate records, for the request log, which grant/leg, client and user
// an OAuth or REST handler saw. Handlers of both sides call it; empty
// arguments leave earlier values in place.
func Annotate(r *http.Request, grant, client, user string) {
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

// FirstNonEmpty returns the first non-empty string of s.
func FirstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// NormalizeContextPath makes "/x" of "x", "/x/" and "/"; the root is "".
func NormalizeContextPath(p string) string {
	p = strings.Trim(p, "/")
	if p == "" {
		return ""
	}
	return "/" + p
}

// SessionUser is who is signed in on the consent pages: the user
// SetSessionUser named, else def (the side's fixture session_user).
func (c *Core) SessionUser(def string) string {
	if u := c.session.Load(); u != nil && *u != "" {
		return *u
	}
	return def
}

// SetSessionUser signs user in on both sides' consent pages ("" goes back
// to the fixtures) until the next Reset.
func (c *Core) SetSessionUser(user string) { c.session.Store(&user) }
