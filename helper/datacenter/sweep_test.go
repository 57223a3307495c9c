package datacenter

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/bbcred/git-credential-bitbucket/helper/gitconfig"
	"github.com/bbcred/git-credential-bitbucket/helper/grant"
	"github.com/bbcred/git-credential-bitbucket/mockserver"
)

// allTokens lists alice's tokens on the mock (id → name), as alice.
func allTokens(t *testing.T, run *mockserver.Running) map[string]string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, run.ServerURL+"/rest/access-tokens/1.0/users/alice?limit=1000", nil)
	req.SetBasicAuth("alice", "alice-test-password")
	resp, err := run.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var page struct {
		Values []struct{ ID, Name string } `json:"values"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, v := range page.Values {
		out[v.ID] = v.Name
	}
	return out
}

// handMade creates a token alice made herself, named like ours but
// without our tag.
func handMade(t *testing.T, run *mockserver.Running, name string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPut, run.ServerURL+"/rest/access-tokens/1.0/users/alice",
		strings.NewReader(`{"name":`+strconvQuote(name)+`,"permissions":["REPO_READ"],"expiryDays":30}`))
	req.SetBasicAuth("alice", "alice-test-password")
	req.Header.Set("Content-Type", "application/json")
	resp, err := run.HTTPClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct{ ID string }
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || out.ID == "" {
		t.Fatalf("create a hand-made token: HTTP %d, %v", resp.StatusCode, err)
	}
	return out.ID
}

func strconvQuote(s string) string { b, _ := json.Marshal(s); return string(b) }

// TestMintedTokensNeverLeakUntracked: a record lost between minting and
// saving (a SIGKILL) leaves a live token; the next mint deletes it, and
// logout deletes every token of ours. Hand-made tokens (even ones named
// like ours), another machine's and another record's are left alone.
func TestMintedTokensNeverLeakUntracked(t *testing.T) {
	t.Parallel()
	run, env := mockEnv(t, mockserver.Options{}, &gitconfig.Settings{Grant: grant.OAuth1Impersonate, User: "alice"})
	p := &Provider{Machine: "laptop"}
	other := &Provider{Machine: "desktop"}
	otherEnv := *env
	otherEnv.Username = "alice" // another record: git sent a username

	manual := handMade(t, run, "my CI token")
	lookalike := handMade(t, run, "git-credential-bitbucket "+strings.TrimPrefix(run.ServerURL, "http://")+" 2026-01-01T00:00Z")
	desktop, err := other.Obtain(t.Context(), env, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	otherRec, err := p.Obtain(t.Context(), &otherEnv, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	lost, err := p.Obtain(t.Context(), env, nil, false) // never saved
	if err != nil {
		t.Fatal(err)
	}
	if name := allTokens(t, run)[lost.MintedTokenID]; !strings.HasPrefix(name, "git-credential-bitbucket 127.0.0.1:") || !strings.HasSuffix(name, "]") {
		t.Errorf("minted token name %q", name)
	}
	rec, err := p.Obtain(t.Context(), env, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	toks := allTokens(t, run)
	if _, ok := toks[lost.MintedTokenID]; ok {
		t.Errorf("the untracked token %s survived the next mint", lost.MintedTokenID)
	}
	for _, keep := range []string{manual, lookalike, desktop.MintedTokenID, otherRec.MintedTokenID, rec.MintedTokenID} {
		if _, ok := toks[keep]; !ok {
			t.Errorf("token %s (%q) was deleted", keep, toks[keep])
		}
	}

	// Another token lost, then logout: both gone, the rest kept.
	lost2, err := p.Obtain(t.Context(), env, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Revoke(t.Context(), env, lost2); err != nil {
		t.Fatal(err)
	}
	var left []string
	for id := range allTokens(t, run) {
		left = append(left, id)
	}
	slices.Sort(left)
	want := []string{manual, lookalike, desktop.MintedTokenID, otherRec.MintedTokenID}
	slices.Sort(want)
	if !slices.Equal(left, want) {
		t.Errorf("tokens after logout = %v, want %v", left, want)
	}
}
