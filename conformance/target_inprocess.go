package conformance

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/bbcred/git-credential-bitbucket/mockserver"
)

// InProcess returns a factory of in-process mock targets: every case gets
// its own mockserver.Mock on two httptest listeners, built from the default
// fixtures completed with what the cases need, so cases run in parallel
// without sharing state. Bare repositories live in one directory shared by
// all mocks of the factory (cases push to branches of their own).
func InProcess(t *testing.T) NewTarget {
	t.Helper()
	return InProcessEra(t, "")
}

// InProcessEra is InProcess with the Cloud side in era ("2025" or "2026";
// "" = the fixtures' own, 2026 by default).
func InProcessEra(t *testing.T, era string) NewTarget {
	t.Helper()
	f := &inProcessFactory{reposDir: t.TempDir(), era: era}
	return f.newTarget
}

type inProcessFactory struct {
	reposDir string
	era      string
	once     sync.Once
	fixtures *mockserver.Fixtures
	err      error
}

func (f *inProcessFactory) prepare() {
	fx := mockserver.DefaultFixtures()
	if f.era != "" {
		fx.Cloud.Era = f.era
	}
	if err := completeFixtures(fx); err != nil {
		f.err = err
		return
	}
	if err := addHelperDCClient(fx); err != nil {
		f.err = err
		return
	}
	f.fixtures = fx
	// Create the repositories once, before mocks run in parallel.
	m, err := mockserver.New(mockserver.Options{Fixtures: cloneFixtures(fx), ReposDir: f.reposDir})
	if err != nil {
		f.err = err
		return
	}
	f.err = m.Close()
}

func (f *inProcessFactory) newTarget(t *testing.T, _ Needs) Target {
	t.Helper()
	f.once.Do(f.prepare)
	if f.err != nil {
		t.Fatalf("in-process mock: %v", f.err)
	}
	return startInProcess(t, cloneFixtures(f.fixtures), f.reposDir, f)
}

func startInProcess(t *testing.T, fx *mockserver.Fixtures, reposDir string, f *inProcessFactory) *inProcessTarget {
	t.Helper()
	m, err := mockserver.New(mockserver.Options{Fixtures: fx, ReposDir: reposDir, AutoApprove: true})
	if err != nil {
		t.Fatalf("in-process mock: %v", err)
	}
	cloudSrv := httptest.NewServer(m.CloudHandler())
	serverSrv := httptest.NewServer(m.ServerHandler())
	t.Cleanup(func() {
		cloudSrv.Close()
		serverSrv.Close()
		if err := m.Close(); err != nil {
			t.Errorf("close mock: %v", err)
		}
	})
	cp := fx.Server.ContextPath
	if cp == "" {
		cp = "/bitbucket"
	}
	srv, err := serverFromFixtures(serverSrv.URL+cp, cp, fx.Server)
	if err != nil {
		t.Fatalf("in-process mock: %v", err)
	}
	return &inProcessTarget{
		m:        m,
		factory:  f,
		fixtures: fx,
		cloud:    cloudFromFixtures(cloudSrv.URL, fx.Cloud),
		server:   srv,
		ctl:      &control{base: cloudSrv.URL, http: &http.Client{Timeout: 10 * time.Second}},
	}
}

// inProcessTarget has every ability.
type inProcessTarget struct {
	m        *mockserver.Mock
	factory  *inProcessFactory
	fixtures *mockserver.Fixtures
	cloud    *Cloud
	server   *Server
	ctl      *control // for what the library has no method for (revoke)
}

var (
	_ Clock          = (*inProcessTarget)(nil)
	_ Faults         = (*inProcessTarget)(nil)
	_ RequestLog     = (*inProcessTarget)(nil)
	_ AutoConsent    = (*inProcessTarget)(nil)
	_ Resetter       = (*inProcessTarget)(nil)
	_ Revoker        = (*inProcessTarget)(nil)
	_ CustomFixtures = (*inProcessTarget)(nil)
	_ RefreshControl = (*inProcessTarget)(nil)
)

func (p *inProcessTarget) Name() string    { return "inprocess" }
func (p *inProcessTarget) Cloud() *Cloud   { return p.cloud }
func (p *inProcessTarget) Server() *Server { return p.server }
func (p *inProcessTarget) Now() time.Time  { return p.m.Now() }

func (p *inProcessTarget) Advance(_ context.Context, d time.Duration) error {
	p.m.Advance(d)
	return nil
}

func (p *inProcessTarget) AddFault(_ context.Context, f mockserver.Fault) error {
	p.m.AddFault(f)
	return nil
}

func (p *inProcessTarget) Requests(_ context.Context, prefix string) ([]mockserver.LoggedRequest, error) {
	return p.m.Requests(prefix), nil
}

func (p *inProcessTarget) Approve(ctx context.Context, c *http.Client, u string) (*http.Response, error) {
	return approve(ctx, c, u)
}

func (p *inProcessTarget) Reset(context.Context) error {
	p.m.Reset()
	return nil
}

func (p *inProcessTarget) Revoke(ctx context.Context, token string) error {
	return p.ctl.Revoke(ctx, token)
}

func (p *inProcessTarget) RevokeAll(ctx context.Context) error { return p.ctl.RevokeAll(ctx) }

func (p *inProcessTarget) CloudRefreshPolicy(ctx context.Context) (RefreshPolicy, error) {
	return p.ctl.CloudRefreshPolicy(ctx)
}

func (p *inProcessTarget) SetCloudRefreshPolicy(ctx context.Context, rp RefreshPolicy) error {
	return p.ctl.SetCloudRefreshPolicy(ctx, rp)
}

func (p *inProcessTarget) WithFixtures(t *testing.T, edit func(*mockserver.Fixtures)) Target {
	t.Helper()
	fx := cloneFixtures(p.fixtures)
	edit(fx)
	return startInProcess(t, fx, t.TempDir(), p.factory)
}

func (p *inProcessTarget) Fixtures() *mockserver.Fixtures { return cloneFixtures(p.fixtures) }
