package datacenter

import (
	"net/http/httptest"
	"testing"

	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/core"
	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/testsupport"
)

// kv is one OAuth 1 parameter, unencoded.
type kv = testsupport.KV

// o1Req builds an OAuth 1 request signed by testsupport.Signer.
type o1Req = testsupport.O1Req

// testServer is the Server/DC side alone over its own core, served
// in-process at base (context path /bitbucket), for tests that look into
// its stores.
type testServer struct {
	*core.Core
	server *State
	base   string
}

// newTestState builds the side (no listener) with the default fixtures.
func newTestState(t *testing.T, autoApprove bool) (*core.Core, *State) {
	t.Helper()
	var st *State
	c, err := core.New(core.Config{ReposDir: t.TempDir(), Sides: func() []core.Side { return []core.Side{st} }})
	if err != nil {
		t.Fatalf("new core: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	st, err = New(c, DefaultFixtures(), "/bitbucket", autoApprove)
	if err != nil {
		t.Fatalf("new server state: %v", err)
	}
	return c, st
}

// startTestServer serves newTestState's side on an httptest server.
func startTestServer(t *testing.T, autoApprove bool) *testServer {
	t.Helper()
	c, st := newTestState(t, autoApprove)
	srv := httptest.NewServer(c.Wrap("server", st.Handler()))
	t.Cleanup(srv.Close)
	return &testServer{Core: c, server: st, base: srv.URL + "/bitbucket"}
}
