package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"
)

// decodeStrict decodes data into a T refusing unknown fields, and checks
// that encoding the result gives data back: every field of the schema is
// present and nothing else is.
func decodeStrict[T any](t *testing.T, data string) T {
	t.Helper()
	var v T
	dec := json.NewDecoder(strings.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode: %v\n%s", err, data)
	}
	again, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, []byte(data)); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, compact.Bytes()) {
		t.Errorf("round trip differs (a field missing or extra):\n got %s\nwant %s", compact.Bytes(), again)
	}
	return v
}

func TestStatusJSONSchema(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "bitbucket.https://other.example.test.grant", "authorization-code")
	h.prov.accountN = "alice"
	h.put(record("tok-valid-123", "rt-secret-1", time.Hour))
	stdout, stderr, code := h.run("", nil, "status", "--json")
	if code != exitFail || stderr != "git-credential-bitbucket: status: not usable: https://other.example.test\n" {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	noSecrets(t, "status --json", stdout, "tok-valid-123", "rt-secret-1")
	rep := decodeStrict[StatusReport](t, stdout)
	if rep.SchemaVersion != 1 || rep.Usable || len(rep.Remotes) != 2 {
		t.Fatalf("report %+v", rep)
	}
	ok, bad := rep.Remotes[0], rep.Remotes[1]
	if ok.URL != "https://"+testHost || !ok.Usable || ok.Grant != "client-credentials" || len(ok.Records) != 1 {
		t.Errorf("first remote %+v", ok)
	}
	rec := ok.Records[0]
	if rec.Account != "alice" || rec.AccessToken.State != "valid" || rec.AccessToken.Check != "not-checked" ||
		!rec.RefreshToken.Stored || rec.OAuth1 != nil || rec.AccessToken.Expiry != "2026-11-27T13:00:00Z" {
		t.Errorf("record %+v", rec)
	}
	if bad.URL != "https://other.example.test" || bad.Usable || !strings.Contains(bad.Problem, "run: git-credential-bitbucket login https://other.example.test") {
		t.Errorf("second remote %+v", bad)
	}
}

func TestStatusUsable(t *testing.T) {
	t.Parallel()
	interactive := []string{"bitbucket.https://" + testHost + ".grant", "authorization-code"}
	tests := []struct {
		name     string
		config   []string
		rec      func() *recShape
		wantCode int
		wantText string
	}{
		{"non-interactive, nothing stored", nil, nil, exitOK, "(cloud, grant client-credentials): usable"},
		{"interactive, valid token", interactive, func() *recShape { return &recShape{access: "tok-a-123", valid: time.Hour} }, exitOK, ": usable"},
		{"interactive, expired, refresh token", interactive, func() *recShape { return &recShape{access: "tok-a-123", refresh: "rt-1-123", valid: -time.Hour} }, exitOK, ": usable"},
		{"interactive, expired, no refresh token", interactive, func() *recShape { return &recShape{access: "tok-a-123", valid: -time.Hour} }, exitFail, "NOT USABLE: no usable token is stored and authorization-code needs a person"},
		{"interactive, refresh token refused", interactive, func() *recShape {
			return &recShape{access: "tok-a-123", refresh: "rt-1-123", valid: -time.Hour, refused: true}
		}, exitFail, "NOT USABLE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, tt.config...)
			if tt.rec != nil {
				in := tt.rec()
				rec := record(in.access, in.refresh, in.valid)
				if tt.config != nil {
					rec.Grant = "authorization-code"
				}
				if in.refused {
					rec.RefreshRefused = testNow
				}
				h.put(rec)
			}
			stdout, _, code := h.run("", nil, "status")
			if code != tt.wantCode || !strings.Contains(stdout, tt.wantText) {
				t.Errorf("exit %d (want %d), stdout:\n%s", code, tt.wantCode, stdout)
			}
		})
	}
}

// recShape is the shape of a test record.
type recShape struct {
	access, refresh string
	valid           time.Duration
	refused         bool
}

// readmeJSON is the first ```json block after heading in README.md.
func readmeJSON(t *testing.T, heading string) string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "\n"+heading+"\n")
	if !ok {
		t.Fatalf("README.md has no heading %q", heading)
	}
	_, rest, ok = strings.Cut(rest, "```json\n")
	block, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		t.Fatalf("README.md has no json block after %q", heading)
	}
	return block
}

// TestStatusSchemaDocumented: the README's example is the schema.
func TestStatusSchemaDocumented(t *testing.T) {
	t.Parallel()
	decodeStrict[StatusReport](t, readmeJSON(t, "### `status --json`"))
}

// TestStatusJSONIsTerminalSafe: the JSON encoder escapes C0 controls and
// U+2028/9 but not bidi overrides or C1 controls; status replaces those.
func TestStatusJSONIsTerminalSafe(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.prov.accountN = "ev\x1b]0;owned\x07il\u202egnp.exe\u2066\u0085"
	rec := record("tok-valid-123", "", time.Hour)
	rec.Scopes = "repository\u2028fake line\u202e"
	h.put(rec)
	out, _, code := h.run("", nil, "status", "--json")
	if code != exitOK {
		t.Fatalf("exit %d", code)
	}
	if strings.ContainsFunc(strings.ReplaceAll(out, "\n", ""), termUnsafe) {
		t.Errorf("status --json printed terminal controls: %q", out)
	}
	rep := decodeStrict[StatusReport](t, out)
	if got := rep.Remotes[0].Records[0].Account; strings.ContainsFunc(got, termUnsafe) || !strings.HasPrefix(got, "ev") {
		t.Errorf("account %q", got)
	}
}

// TestStatusListsEnvRemotes: a remote named only by
// GIT_CREDENTIAL_BITBUCKET_URL (CI) is listed with the settings the
// environment gives it.
func TestStatusListsEnvRemotes(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	env := []string{"GIT_CREDENTIAL_BITBUCKET_URL=https://ci.example.test", "GIT_CREDENTIAL_BITBUCKET_KIND=cloud", "GIT_CREDENTIAL_BITBUCKET_GRANT=client-credentials"}
	stdout, stderr, code := h.run("", env, "status")
	if code != exitOK || !strings.Contains(stdout, "https://ci.example.test (cloud, grant client-credentials): usable\n") ||
		!strings.Contains(stdout, "https://"+testHost+" (cloud, grant client-credentials): usable\n") {
		t.Errorf("exit %d, stderr %q, stdout:\n%s", code, stderr, stdout)
	}
}
