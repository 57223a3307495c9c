package citations

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// exempt is the directory whose files may hold old forms and made-up
// anchors: the mapping and its tests.
const exempt = "internal/citations/"

var (
	// refRe is FILE.md#anchor; the character before it is checked by hand
	// so that URLs are left alone.
	refRe = regexp.MustCompile(`([\w./-]*\.md)#([\w-]+)`)
	// localRe is a Markdown link to an anchor of the same file.
	localRe   = regexp.MustCompile(`\]\(#([\w-]+)\)`)
	idAttrRe  = regexp.MustCompile(`<a\s+(?:id|name)="([^"]+)"`)
	headingRe = regexp.MustCompile(`^#{1,6}[ \t]+(.+?)[ \t#]*$`)
	linkRe    = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)
	slugDrop  = regexp.MustCompile(`[^\p{L}\p{N} _-]`)
)

// Files lists the .go, .md and .txtar files under root (slash paths from
// root), skipping hidden directories, the build outputs bin/, dist/ and
// man/ (.gitignore: copies, not sources) and exempt.
func Files(root string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel != "." && (strings.HasPrefix(d.Name(), ".") || rel == "bin" || rel == "dist" || rel == "man" || rel+"/" == exempt) {
				return filepath.SkipDir
			}
			return nil
		}
		switch path.Ext(rel) {
		case ".go", ".md", ".txtar":
			out = append(out, rel)
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}

// Check reads files (from Files) under root and lists every citation
// that does not resolve, and every old-style citation, as "file:line: why".
func Check(root string, files []string) ([]string, error) {
	anchors := map[string]map[string]bool{} // Markdown file -> its anchors
	anchorsOf := func(rel string) (map[string]bool, error) {
		if a, ok := anchors[rel]; ok {
			return a, nil
		}
		b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
		if err != nil {
			return nil, err
		}
		a := Anchors(string(b))
		anchors[rel] = a
		return a, nil
	}
	var problems []string
	for _, rel := range files {
		var found []problem
		b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
		if err != nil {
			return nil, err
		}
		src := string(b)
		report := func(at int, format string, args ...any) {
			found = append(found, problem{at, fmt.Sprintf(format, args...)})
		}
		for _, old := range oldStyle(rel, src) {
			report(old[0], "old-style citation %q: run go run ./scripts/cite-rewrite", src[old[0]:old[1]])
		}
		md := strings.HasSuffix(rel, ".md")
		refs := [][]int(nil)
		if strings.Contains(src, ".md#") {
			refs = refRe.FindAllStringSubmatchIndex(src, -1)
		}
		for _, loc := range refs {
			if !boundary(src, loc[0]) || loc[2] == loc[3]-3 {
				continue
			}
			file, anchor := src[loc[2]:loc[3]], src[loc[4]:loc[5]]
			target := path.Clean(file)
			if md && strings.HasSuffix(src[:loc[0]], "](") {
				target = path.Join(path.Dir(rel), file)
			}
			a, err := anchorsOf(target)
			if err != nil {
				report(loc[0], "%s#%s: no file %s", file, anchor, target)
				continue
			}
			if !a[anchor] {
				report(loc[0], "%s#%s: %s has no anchor %q", file, anchor, target, anchor)
			}
		}
		if md {
			seen := map[string]bool{}
			for _, loc := range idAttrRe.FindAllStringSubmatchIndex(src, -1) {
				if a := src[loc[2]:loc[3]]; seen[a] {
					report(loc[0], "anchor %q defined twice", a)
				} else {
					seen[a] = true
				}
			}
			for _, loc := range localRe.FindAllStringSubmatchIndex(src, -1) {
				if a, _ := anchorsOf(rel); !a[src[loc[2]:loc[3]]] {
					report(loc[0], "#%s: no such anchor in this file", src[loc[2]:loc[3]])
				}
			}
		}
		sort.SliceStable(found, func(i, j int) bool { return found[i].at < found[j].at })
		for _, p := range found {
			line := strings.Count(src[:p.at], "\n") + 1
			problems = append(problems, fmt.Sprintf("%s:%d: %s", rel, line, p.why))
		}
	}
	return problems, nil
}

// problem is one finding at an offset of a file.
type problem struct {
	at  int
	why string
}

// oldStyle finds the citations Rewrite would convert (or reports as
// unknown), as offsets into src. Cheap substring tests skip the regular
// expressions on files that cannot match.
func oldStyle(rel, src string) [][2]int {
	var out [][2]int
	if strings.Contains(src, "acts ") || strings.Contains(src, "acts\n") || strings.Contains(src, "acts\t") {
		for _, m := range factsRe.FindAllStringSubmatchIndex(src, -1) {
			sep, first := src[m[4]:m[5]], src[m[6]:m[7]]
			if !strings.Contains(sep, "\n") || len(first) > 1 || first[0] < 'A' {
				out = append(out, [2]int{m[3], m[1]}) // from "facts" on
			}
		}
	}
	if strings.Contains(src, "reference/") || strings.Contains(src, "bitbucket-auth-facts") ||
		strings.Contains(src, "git-credential-protocol") {
		for _, m := range fileRe.FindAllStringSubmatchIndex(src, -1) {
			sub := []string{src[m[0]:m[1]], src[m[2]:m[3]], ""}
			if m[4] >= 0 {
				sub[2] = src[m[4]:m[5]]
			}
			if boundary(src, m[0]) && oldFile(sub) {
				out = append(out, [2]int{m[0], m[1]})
			}
		}
	}
	if strings.Contains(src, "design.md") {
		for _, m := range designRe.FindAllStringIndex(src, -1) {
			if boundary(src, m[0]) {
				out = append(out, [2]int{m[0], m[1]})
			}
		}
	}
	for _, c := range bareCites(rel, src) {
		inside := false
		for _, o := range out {
			inside = inside || c.start < o[1] && c.end > o[0]
		}
		if !inside {
			out = append(out, [2]int{c.start, c.end})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}

// Anchors lists the anchors of a Markdown document: explicit <a id="…">
// (or name) and the GitHub slugs of its headings outside code fences.
func Anchors(md string) map[string]bool {
	out := map[string]bool{}
	for _, m := range idAttrRe.FindAllStringSubmatch(md, -1) {
		out[m[1]] = true
	}
	fenced := false
	seen := map[string]int{}
	for _, line := range strings.Split(md, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "```") {
			fenced = !fenced
			continue
		}
		m := headingRe.FindStringSubmatch(line)
		if fenced || m == nil {
			continue
		}
		s := Slug(m[1])
		if n := seen[s]; n > 0 {
			out[fmt.Sprintf("%s-%d", s, n)] = true
		} else {
			out[s] = true
		}
		seen[s]++
	}
	return out
}

// Slug is GitHub's anchor for a heading: link text kept, code marks and
// punctuation dropped, lowercase, spaces as hyphens.
func Slug(heading string) string {
	s := linkRe.ReplaceAllString(heading, "$1")
	s = idAttrRe.ReplaceAllString(s, "")
	s = strings.ReplaceAll(s, "</a>", "")
	s = slugDrop.ReplaceAllString(strings.ToLower(s), "")
	return strings.ReplaceAll(s, " ", "-")
}
