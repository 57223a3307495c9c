package datacenter

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/core"
	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/testsupport"
)

// kv is one OAuth 1 parameter, unencoded.
type kv = testsupport.KV

// o1Req builds an OAuth 1 request signed by testsupport.Signer, every
// protocol parameter under the test's control.
type o1Req = testsupport.O1Req

func strp(s string) *string { return &s }

// testOptions are what the tests set of mockserver.Options.
type testOptions struct {
	AutoApprove bool
}

// testMock is the Server/DC side alone over a core of its own, at the
// context path /bitbucket, as mockserver.Mock holds it: Reset rebuilds the
// side from the fixtures.
type testMock struct {
	*core.Core
	mu     sync.Mutex
	server *State
	h      http.Handler
}

// newTestMock builds the side from the default fixtures changed by edit.
func newTestMock(t *testing.T, opts testOptions, edit func(*Fixtures)) *testMock {
	t.Helper()
	f := DefaultFixtures()
	if edit != nil {
		edit(&f)
	}
	m := &testMock{}
	build := func() error {
		s, err := New(m.Core, f, "/bitbucket", opts.AutoApprove)
		if err != nil {
			return err
		}
		h := s.Handler()
		m.mu.Lock()
		m.server, m.h = s, h
		m.mu.Unlock()
		return nil
	}
	c, err := core.New(core.Config{ReposDir: t.TempDir(), Sides: m.sides, Rebuild: build})
	if err != nil {
		t.Fatalf("new core: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	m.Core = c
	if err := build(); err != nil {
		t.Fatalf("server fixtures: %v", err)
	}
	return m
}

func (m *testMock) sides() []core.Side {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.server == nil {
		return nil
	}
	return []core.Side{m.server}
}

// newTestState is the side alone, for tests that fill and sweep its stores.
func newTestState(t *testing.T, autoApprove bool) (*core.Core, *State) {
	t.Helper()
	m := newTestMock(t, testOptions{AutoApprove: autoApprove}, nil)
	return m.Core, m.server
}

// ContextPath is the side's context path.
func (m *testMock) ContextPath() string { return "/bitbucket" }

// ServerHandler serves the side as mockserver.Mock.ServerHandler does.
func (m *testMock) ServerHandler() http.Handler {
	return m.Wrap("server", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.mu.Lock()
		h := m.h
		m.mu.Unlock()
		h.ServeHTTP(w, r)
	}))
}

// testRun is a testMock on an httptest listener.
type testRun struct {
	Mock      *testMock
	ServerURL string // context path included
}

// startServer serves a testMock with the default fixtures changed by edit
// and returns it with the base URL (context path included).
func startServer(t *testing.T, opts testOptions, edit func(*Fixtures)) (*testRun, string) {
	t.Helper()
	m := newTestMock(t, opts, edit)
	srv := httptest.NewServer(m.ServerHandler())
	t.Cleanup(srv.Close)
	run := &testRun{Mock: m, ServerURL: srv.URL + m.ContextPath()}
	return run, run.ServerURL
}

// decodeJSON unmarshals body into a map.
func decodeJSON(t *testing.T, body string) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("decode %q: %v", body, err)
	}
	return v
}
