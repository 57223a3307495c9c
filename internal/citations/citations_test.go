package citations

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// root is the module root, seen from this package's directory.
const root = "../.."

// TestRepositoryCitationsResolve is the lint step: every FILE.md#anchor in
// a .go, .md or .txtar file of the repository names an existing anchor,
// and no old-style citation is left.
func TestRepositoryCitationsResolve(t *testing.T) {
	t.Parallel()
	files, err := Files(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 50 {
		t.Fatalf("found only %d files under %s: wrong root?", len(files), root)
	}
	problems, err := Check(root, files)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}
}

// TestMappingTargetsExist keeps the rewrite table and the documents in
// step: every anchor the script can write exists.
func TestMappingTargetsExist(t *testing.T) {
	t.Parallel()
	anchors := map[string]map[string]bool{}
	for _, target := range Targets() {
		file, anchor, _ := strings.Cut(target, "#")
		if anchors[file] == nil {
			b, err := os.ReadFile(filepath.Join(root, file))
			if err != nil {
				t.Errorf("%s: %v", target, err)
				continue
			}
			anchors[file] = Anchors(string(b))
		}
		if anchor != "" && !anchors[file][anchor] {
			t.Errorf("%s: no anchor %q in %s", target, anchor, file)
		}
	}
}

// TestMappingComplete: every section id of the old facts file converts.
func TestMappingComplete(t *testing.T) {
	t.Parallel()
	ids := []string{"0.0", "0.10", "0.11", "A", "A5b", "B", "C", "D", "E", "F"}
	for i := 1; i <= 9; i++ {
		ids = append(ids, "0."+string(rune('0'+i)))
	}
	for i := 0; i <= 14; i++ {
		ids = append(ids, "A"+itoa(i))
	}
	for _, l := range []string{"B", "D", "E"} {
		for i := 1; i <= 3; i++ {
			ids = append(ids, l+itoa(i))
		}
	}
	for _, id := range ids {
		if _, ok := factTarget(id); !ok {
			t.Errorf("no mapping for %s", id)
		}
	}
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return "1" + string(rune('0'+i-10))
}

func TestRewrite(t *testing.T) {
	t.Parallel()
	const d = behaviourDoc + "#"
	tests := []struct {
		name, file, in, want string
		unknown              int
	}{
		{"one id", "a/b.go", "// x (facts A5b).", "// x (" + d + "cloud-refresh-rotation).", 0},
		{"capital and colon", "a.go", "// Facts B2: y", "// " + d + "dc-oauth1-wire: y", 0},
		{"list", "a.go", "(facts 0.3, A12)", "(" + d + "git-challenge, " + d + "cloud-401)", 0},
		{"slash and source", "a.go", "Facts B3/S-58: z", d + "dc-oauth1-problems, " + d + "source-58: z", 0},
		{"range", "a.go", "(facts A11–A13)", "(" + d + "cloud-api-tokens, " + d + "cloud-401, " + d + "cloud-user)", 0},
		{"duplicates merge", "a.go", "(facts 0.1, A4)", "(" + d + "cloud-2025-token-response)", 0},
		{"bare letters", "a.go", "(facts B, C, D)", "(" + d + "dc-oauth1, " + d + "dc-oauth2, " + d + "dc-tokens-rest-git)", 0},
		{"stops at a non-id", "a.go", "(facts A12, OBS)", "(" + d + "cloud-401, OBS)", 0},
		{"semicolon before words", "a.go", "(facts A1; issue 11)", "(" + d + "cloud-endpoints; issue 11)", 0},
		{"line break", "a.go", "may (facts\n// A0) x", "may (\n// " + d + "cloud-2026) x", 0},
		{"line break, no trailing blank", "a.go", "// (x, facts\n// A4)", "// (x,\n// " + d + "cloud-2025-token-response)", 0},
		{"line break before a word", "a.go", "the facts\n// A token", "the facts\n// A token", 0},
		{"a word after facts", "a.go", "the facts are silent; facts Cloud", "the facts are silent; facts Cloud", 0},
		{"unknown id", "a.go", "(facts A4, C2)", "(facts A4, C2)", 1},
		{"markdown bare ids", "c/README.md", "errors (0.1, A1–A3, A6) and (faithful, A1; x) (C) (0.2, C)", "errors ([cloud-2025-token-response](../" + d + "cloud-2025-token-response), [cloud-endpoints](../" + d + "cloud-endpoints), [cloud-grants](../" + d + "cloud-grants), [cloud-client-auth](../" + d + "cloud-client-auth), [cloud-token-errors](../" + d + "cloud-token-errors)) and (faithful, [cloud-endpoints](../" + d + "cloud-endpoints); x) (C) ([dc-oauth2-token-response](../" + d + "dc-oauth2-token-response), [dc-oauth2](../" + d + "dc-oauth2))", 0},
		{"bare ids in a comment", "a.go", "x := 1 // (A5b, OBS) and (A0: \"q\")\n// A1, A2). Era", "x := 1 // (" + d + "cloud-refresh-rotation, OBS) and (" + d + "cloud-2026: \"q\")\n// " + d + "cloud-endpoints, " + d + "cloud-grants). Era", 0},
		{"bare ids outside comments", "a.go", "f(A1, B2) // at 0, 0.25, 0.75 (C)", "f(A1, B2) // at 0, 0.25, 0.75 (C)", 0},
		{"bare ids in prose", "a.go", "// OBS A3\n// x (body), A12 (realm)\n// beyond A8: y; A0 is silent", "// OBS " + d + "cloud-client-auth\n// x (body), " + d + "cloud-401 (realm)\n// beyond " + d + "cloud-scopes: y; " + d + "cloud-2026 is silent", 0},
		{"not ids", "m.md", "`A1` [A4] #A5 %C3%A9 docs/A1 (0.5 s) v0.1,", "`A1` [A4] #A5 %C3%A9 docs/A1 (0.5 s) v0.1,", 0},
		{"bare ids in txtar comments", "s.txtar", "# got (D1: 44)\nexec x (A1)", "# got (" + d + "dc-access-tokens: 44)\nexec x (A1)", 0},
		{"unknown bare id", "m.md", "(faithful, C2)", "(faithful, C2)", 1},
		{"markdown link", "mockserver/README.md", "### REST (facts A13)", "### REST ([cloud-user](../" + d + "cloud-user))", 0},
		{"txtar", "x/testdata/script/s.txtar", "# (facts D1: 44)", "# (" + d + "dc-access-tokens: 44)", 0},
		{"facts file path", "conformance/c.go", "from ../shared/reference/bitbucket-auth-facts.md here", "from " + behaviourDoc + " here", 0},
		{"facts file in md code", "m/README.md", "`../shared/reference/bitbucket-auth-facts.md`;", "[" + behaviourDoc + "](../" + behaviourDoc + ");", 0},
		{"protocol section", "a.go", "(reference/git-credential-protocol.md §4)", "(" + protocolDoc + "#what-git-does)", 0},
		{"url left alone", "a.go", `"https://developer.atlassian.com/bitbucket/api/2/reference/"`, `"https://developer.atlassian.com/bitbucket/api/2/reference/"`, 0},
		{"converted left alone", "a.go", "(" + protocolDoc + ")", "(" + protocolDoc + ")", 0},
		{"design section", "a.go", `(design.md "Control API")`, "(mockserver/README.md#control-api-both-listeners-at-the-root-not-under-the-context-path)", 0},
		{"design sections over lines", "a.go", "(design.md, \"What git receives\" and\n// \"Configuration\"). z", "(README.md#what-git-receives, README.md#configuration). z", 0},
		{"design plain", "m/f.go", "(../shared/design.md): add", "(README.md): add", 0},
		{"design unknown section", "a.go", `design.md "Nowhere"`, `design.md "Nowhere"`, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, unknown := Rewrite(tt.file, tt.in)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Rewrite(%q) (-want +got):\n%s", tt.in, diff)
			}
			if len(unknown) != tt.unknown {
				t.Errorf("unknown = %q, want %d", unknown, tt.unknown)
			}
			// The check flags exactly what the rewrite leaves old.
			if old := oldStyle(tt.file, got); (len(old) > 0) != (tt.unknown > 0) {
				t.Errorf("oldStyle(%q) = %v after rewriting", got, old)
			}
			again, _ := Rewrite(tt.file, got)
			if again != got {
				t.Errorf("second run changed %q to %q", got, again)
			}
		})
	}
}

// TestCheckReports shows the check failing: a missing anchor, a missing
// file, a broken in-page link, an anchor defined twice and an old-style
// citation are each reported;
// a good anchor, a heading slug and a relative Markdown link pass.
func TestCheckReports(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(rel, s string) {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("docs/b.md", "<a id=\"good\"></a>\n## Control API (both, `x`)\n[up](#good) [bad](#nowhere)\n<a id=\"good\"></a>\n")
	write("p/a.go", "package p\n// ok (docs/b.md#good), slug (docs/b.md#control-api-both-x)\n// broken (docs/b.md#gone)\n// old (facts A1)\n")
	write("p/README.md", "[ok](../docs/b.md#good) [no](../docs/c.md#x) see https://github.com/o/r/blob/main/README.md#y\n")
	files, err := Files(dir)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Check(dir, files)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`docs/b.md:3: #nowhere: no such anchor in this file`,
		`docs/b.md:4: anchor "good" defined twice`,
		`p/README.md:1: ../docs/c.md#x: no file docs/c.md`,
		`p/a.go:3: docs/b.md#gone: docs/b.md has no anchor "gone"`,
		`p/a.go:4: old-style citation "facts A1": run go run ./scripts/cite-rewrite`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Check (-want +got):\n%s", diff)
	}
}

func TestSlug(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Control API (both listeners, at the root, not under the context path)": "control-api-both-listeners-at-the-root-not-under-the-context-path",
		"Server / Data Center":                                  "server--data-center",
		"Built-in Cloud fixtures (`bitbucket-mock fixtures`)":   "built-in-cloud-fixtures-bitbucket-mock-fixtures",
		"REST ([cloud-user](../docs/bitbucket-behaviour.md#x))": "rest-cloud-user",
		"UNCONFIRMED choices":                                   "unconfirmed-choices",
	} {
		if got := Slug(in); got != want {
			t.Errorf("Slug(%q) = %q, want %q", in, got, want)
		}
	}
}
