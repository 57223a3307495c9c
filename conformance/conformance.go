// Package conformance is one suite of Bitbucket authentication cases run
// against many targets: the mock in-process, the bitbucket-mock binary, and
// a real Bitbucket Cloud or Server/Data Center configured by environment
// variables (see README.md).
//
// It follows gocloud's drivertest pattern: a target is a few lines
// (Target), optional abilities (moving the clock, injecting faults,
// approving consent pages, ...) are small interfaces found by type assertion,
// and a case that needs an ability its target lacks skips with the reason.
// Cases assert protocol facts from docs/bitbucket-behaviour.md
// (error codes, status classes, token shape and lifetime, refresh semantics),
// never exact token strings or wording.
//
// Case names are <area>/<case>; under a target's top-level test they read
// Test<Target>/<area>/<case>, which is what the report program prints.
package conformance

import (
	"context"
	"net/http"
	"net/url"
	"sort"
	"testing"
	"time"

	"github.com/bbcred/git-credential-bitbucket/mockserver"
)

// Target is one Bitbucket the suite talks to.
type Target interface {
	// Name labels the target in messages: "inprocess", "binary", "real".
	Name() string
	// Cloud describes the Bitbucket Cloud side; nil when the target has none.
	Cloud() *Cloud
	// Server describes the Server/DC side; nil when the target has none.
	Server() *Server
}

// Needs tell a target factory what a case will do to the target.
type Needs struct {
	// Exclusive: the case moves the clock, injects faults or revokes
	// everything, so it must not share mutable state with other cases.
	Exclusive bool
}

// NewTarget makes the target for one case. It calls t.Fatal when the target
// cannot be made and registers its own cleanup with t.
type NewTarget func(t *testing.T, n Needs) Target

// Clock is a target whose time can be moved (the mocks).
type Clock interface {
	// Now is the target's current time; OAuth 1 timestamps are taken from it.
	Now() time.Time
	// Advance moves the target's clock forward.
	Advance(ctx context.Context, d time.Duration) error
}

// Faults is a target that can fail requests on purpose.
type Faults interface {
	AddFault(ctx context.Context, f mockserver.Fault) error
}

// RequestLog is a target that records the requests it served.
type RequestLog interface {
	Requests(ctx context.Context, prefix string) ([]mockserver.LoggedRequest, error)
}

// AutoConsent is a target whose consent pages the suite can approve, so
// authorization-code and 3-legged flows run without a person.
type AutoConsent interface {
	// Approve opens authorizeURL (a Cloud, DC OAuth 2 or OAuth 1 authorize
	// URL) as the fixture's session user, approves the consent page if one
	// is shown, and returns the response that ends the page flow: a redirect
	// to the client's callback, or an error page.
	Approve(ctx context.Context, c *http.Client, authorizeURL string) (*http.Response, error)
}

// Resetter is a target that can return to its fixtures.
type Resetter interface {
	Reset(ctx context.Context) error
}

// Revoker is a target where tokens can be revoked as an administrator would.
type Revoker interface {
	Revoke(ctx context.Context, token string) error
	RevokeAll(ctx context.Context) error
}

// CustomFixtures is a target that can start a sibling target from edited
// fixtures (e.g. with anonymous access enabled).
type CustomFixtures interface {
	WithFixtures(t *testing.T, edit func(*mockserver.Fixtures)) Target
}

// RefreshControl is a target whose era-2026 Cloud refresh policy (grace
// window, lockout, idle lifetime) can be read and set (the mock's
// /_mock/cloud/refresh).
type RefreshControl interface {
	CloudRefreshPolicy(ctx context.Context) (RefreshPolicy, error)
	SetCloudRefreshPolicy(ctx context.Context, p RefreshPolicy) error
}

// Mock is a target that is the mock: it exposes the fixtures it runs with.
// Cases for behaviour the mock adds beyond the real service (PKCE checks on
// Cloud, say) run only on a Mock.
type Mock interface {
	Fixtures() *mockserver.Fixtures
}

// testCase is one named case of the suite.
type testCase struct {
	area, name string
	exclusive  bool // see Needs.Exclusive
	fn         func(t *testing.T, e *env)
}

// env is what a case works with.
type env struct {
	tgt  Target
	ctx  context.Context
	http *http.Client // never follows redirects: cases look at them
}

func allCases(o options) []testCase {
	var cs []testCase
	for _, group := range [][]testCase{
		cloudOAuth2Cases(),
		cloudClientAuthCases(),
		cloudRefreshCases(),
		cloudJWTCases(),
		cloudRESTCases(),
		cloudStaticCases(),
		cloudGitCases(),
		cloudEraCases(),
		serverOAuth1Cases(),
		serverProblemCases(),
		serverOAuth2Cases(),
		serverTokenCases(),
		serverRESTCases(),
		controlCases(),
		helperCases(o),
		hostileCases(o),
	} {
		cs = append(cs, group...)
	}
	return cs
}

// Run runs every case against targets made by newTarget. Cases run in
// parallel; each asks newTarget for its target.
func Run(t *testing.T, newTarget NewTarget, opts ...Option) {
	t.Helper()
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	byArea := map[string][]testCase{}
	var areas []string
	for _, c := range allCases(o) {
		if _, ok := byArea[c.area]; !ok {
			areas = append(areas, c.area)
		}
		byArea[c.area] = append(byArea[c.area], c)
	}
	sort.Strings(areas)
	for _, area := range areas {
		t.Run(area, func(t *testing.T) {
			t.Parallel()
			for _, c := range byArea[area] {
				t.Run(c.name, func(t *testing.T) {
					t.Parallel()
					tgt := newTarget(t, Needs{Exclusive: c.exclusive})
					c.fn(t, newEnv(t, tgt))
				})
			}
		})
	}
}

func newEnv(t *testing.T, tgt Target) *env {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	return &env{tgt: tgt, ctx: ctx, http: noRedirectClient()}
}

func noRedirectClient() *http.Client {
	return &http.Client{
		Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// now is the target's time (wall clock for targets without a Clock).
func (e *env) now() time.Time {
	if c, ok := e.tgt.(Clock); ok {
		return c.Now()
	}
	return time.Now()
}

// cloud returns the Cloud side or skips.
func (e *env) cloud(t *testing.T) *Cloud {
	t.Helper()
	c := e.tgt.Cloud()
	if c == nil {
		t.Skipf("target %s has no Bitbucket Cloud configured", e.tgt.Name())
	}
	return c
}

// server returns the Server/DC side or skips.
func (e *env) server(t *testing.T) *Server {
	t.Helper()
	s := e.tgt.Server()
	if s == nil {
		t.Skipf("target %s has no Bitbucket Server/DC configured", e.tgt.Name())
	}
	return s
}

// ability returns the target's optional ability A (a small interface found
// by type assertion, as in gocloud's drivertest) or skips with why not.
func ability[A any](t *testing.T, tgt Target, lacks string) A {
	t.Helper()
	a, ok := tgt.(A)
	if !ok {
		t.Skipf("target %s %s", tgt.Name(), lacks)
	}
	return a
}

// clock returns the Clock ability or skips.
func (e *env) clock(t *testing.T) Clock {
	t.Helper()
	return ability[Clock](t, e.tgt, "cannot move its clock")
}

// advance moves the target's clock or fails.
func (e *env) advance(t *testing.T, d time.Duration) {
	t.Helper()
	if err := e.clock(t).Advance(e.ctx, d); err != nil {
		t.Fatalf("advance clock %s: %v", d, err)
	}
}

func (e *env) faults(t *testing.T) Faults {
	t.Helper()
	return ability[Faults](t, e.tgt, "cannot inject faults")
}

func (e *env) consent(t *testing.T) AutoConsent {
	t.Helper()
	return ability[AutoConsent](t, e.tgt, "has no automatic consent (a person must approve in a browser)")
}

func (e *env) revoker(t *testing.T) Revoker {
	t.Helper()
	return ability[Revoker](t, e.tgt, "cannot revoke tokens on demand")
}

func (e *env) customFixtures(t *testing.T) CustomFixtures {
	t.Helper()
	return ability[CustomFixtures](t, e.tgt, "cannot be started with custom fixtures")
}

// need skips when a target lacks a configured credential.
func need(t *testing.T, ok bool, what string) {
	t.Helper()
	if !ok {
		t.Skipf("target lacks %s", what)
	}
}

// mustURL parses u or fails.
func mustURL(t *testing.T, u string) *url.URL {
	t.Helper()
	p, err := url.Parse(u)
	if err != nil {
		t.Fatalf("parse URL %q: %v", u, err)
	}
	return p
}
