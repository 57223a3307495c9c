package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bbcred/git-credential-bitbucket/helper/grant"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

// TestIdentityChange: after bitbucket.grant, kind, clientId, consumerKey
// or user change through plain git config, the slow path does not hand the
// provider a record minted for the old identity: it revokes what it can
// and starts over. An unchanged identity keeps the record.
func TestIdentityChange(t *testing.T) {
	t.Parallel()
	base := "bitbucket.https://" + testHost + "."
	const old = "kind=cloud grant=client-credentials clientId=c1"
	tests := []struct {
		name       string
		identity   string // of the stored record
		grant      string // of the stored record
		config     []string
		wantPrev   bool
		wantRevoke bool
	}{
		{name: "unchanged", identity: old, grant: "client-credentials", config: []string{base + "clientId", "c1"}, wantPrev: true},
		{name: "clientId", identity: old, grant: "client-credentials", config: []string{base + "clientId", "c2"}, wantRevoke: true},
		{name: "grant", identity: old, grant: "client-credentials", config: []string{base + "clientId", "c1", base + "grant", "authorization-code"}, wantRevoke: true},
		{name: "consumerKey", identity: old, grant: "client-credentials", config: []string{base + "clientId", "c1", base + "consumerKey", "link-2"}, wantRevoke: true},
		{name: "user", identity: old, grant: "client-credentials", config: []string{base + "clientId", "c1", base + "user", "bob"}, wantRevoke: true},
		{name: "kind", identity: old, grant: "client-credentials", config: []string{base + "clientId", "c1", base + "kind", "server"}, wantRevoke: true},
		{name: "legacy record, same grant", grant: "client-credentials", wantPrev: true},
		{name: "legacy record, other grant", grant: "jwt", wantRevoke: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, tt.config...)
			if tt.name == "kind" {
				// kind server is served by the fake provider too.
				h.app.Providers["server"] = h.prov
			}
			stored := record("tok-old-123", "rt-old-123", -time.Minute)
			stored.Identity, stored.Grant = tt.identity, tt.grant
			h.put(stored)
			h.prov.obtain = func(prev *tokenstore.Record, login bool) (*tokenstore.Record, error) {
				return record("tok-new-456", "rt-new-456", 2*time.Hour), nil
			}
			stdout, stderr, _ := h.run(request(), nil, "get")
			if !strings.Contains(stdout, "password=tok-new-456") {
				t.Fatalf("get: stdout %q stderr %q", stdout, stderr)
			}
			if got := h.prov.prevs[0] != nil; got != tt.wantPrev {
				t.Errorf("provider got the stored record: %v, want %v", got, tt.wantPrev)
			}
			var wantRevoked []string
			if tt.wantRevoke {
				wantRevoked = []string{"tok-old-123"}
			}
			if diff := cmp.Diff(wantRevoked, h.prov.revoked); diff != "" {
				t.Errorf("revoked (-want +got):\n%s", diff)
			}
			recs := h.records()
			if len(recs) != 1 || recs[0].RefreshToken != "rt-new-456" {
				t.Fatalf("records %v, want the new one only", recs)
			}
			env := h.prov.envs[0]
			kind := env.Settings.Kind
			if kind == "" {
				kind = grant.InferKind(env.Settings.Grant)
			}
			if want := identity(&target{kind: kind, settings: env.Settings}); recs[0].Identity != want || !strings.Contains(want, "grant=") {
				t.Errorf("stored identity %q, want %q", recs[0].Identity, want)
			}
		})
	}
}

// TestIdentityFastPathAndStatus: a token minted for the old identity keeps
// serving from the fast path until it nears expiry (no git config read),
// and status says whom it was minted for.
func TestIdentityFastPathAndStatus(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "bitbucket.https://"+testHost+".clientId", "c2")
	stored := record("tok-old-123", "rt-old-123", time.Hour)
	stored.Identity = "kind=cloud grant=client-credentials clientId=c1"
	h.put(stored)
	if stdout, _, _ := h.run(request(), nil, "get"); !strings.Contains(stdout, "password=tok-old-123") {
		t.Errorf("fast path: stdout %q", stdout)
	}
	stdout, _, code := h.run("", nil, "status", "https://"+testHost)
	if code != 0 || !strings.Contains(stdout, "minted for:    kind=cloud grant=client-credentials clientId=c1\n") {
		t.Errorf("status: exit %d\n%s", code, stdout)
	}
}
