package citations

import (
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"
)

// id is one section id of the old facts file: "0.11", "A5b", "C", "S-57".
const id = `(?:0\.\d+|0|[A-F](?:\d+b?)?|S-\d+[a-z]?)`

var (
	// factsRe is "facts" (any case of its F), the first id on the same line
	// or after a line break and a comment marker, then more ids separated
	// by commas, slashes, semicolons, dashes (ranges) or "and". The blanks
	// before it are captured so that a citation moved to the next line
	// leaves no trailing blanks.
	factsRe = regexp.MustCompile(`([ \t]*)\b[Ff]acts([ \t]+|[ \t]*\n[ \t]*(?://|#)[ \t]*)(` + id + `)\b((?:[ \t]*(?:,|/|;|-|–|—|and)[ \t]*(?:and[ \t]+)?` + id + `\b)*)`)
	// tailIDRe splits the rest of a facts citation into ids, each with the
	// separator before it (a dash means a range).
	tailIDRe = regexp.MustCompile(`([-–—]?)[ \t]*(?:and[ \t]+)?(` + id + `)\b`)

	// fileRe names an old shared document by path. The character before
	// it is checked by hand (not a word, '/', '.', ':' or '-'), so URLs and
	// already rewritten docs/ paths are left alone.
	fileRe = regexp.MustCompile("`?((?:\\.\\./)*(?:shared/)?(?:reference/(?:bitbucket-auth-facts\\.md|git-credential-protocol(?:\\.md)?)?|bitbucket-auth-facts\\.md|git-credential-protocol(?:\\.md)?))`?(?:,?[ \t]*(?:§|section[ \t]+)(\\d+))?")

	// designRe is design.md with the quoted section titles after it.
	designRe = regexp.MustCompile("`?((?:\\.\\./)*(?:shared/)?design\\.md)`?((?:[ \t]*,?(?:[ \t]*and)?(?:[ \t]*\n[ \t]*(?://|#))?[ \t]*(?:section[ \t]+)?\"[^\"\n]+\")*)")
	quotedRe = regexp.MustCompile(`"([^"\n]+)"`)
)

// Rewrite returns src with every old-style citation replaced by its
// anchor. rel is the file's slash-separated path from the module root: in
// Markdown files the anchors become links relative to the file. unknown
// lists the citations left as they were because an id or a section title
// has no mapping.
func Rewrite(rel string, src string) (out string, unknown []string) {
	w := &rewriter{rel: rel, md: strings.HasSuffix(rel, ".md")}
	out = w.facts(src)
	out = w.bare(out)
	out = w.files(out)
	out = w.design(out)
	return out, w.unknown
}

// rewriter holds what the passes of one file's rewrite share.
type rewriter struct {
	rel     string
	md      bool
	unknown []string
}

func (w *rewriter) fail(format string, args ...any) {
	w.unknown = append(w.unknown, w.rel+": "+fmt.Sprintf(format, args...))
}

// cite writes one target: as it is, or in Markdown as a relative link.
func (w *rewriter) cite(target string) string {
	if !w.md {
		return target
	}
	text := target
	if i := strings.IndexByte(target, '#'); i >= 0 {
		text = target[i+1:]
	}
	return "[" + text + "](" + relTo(w.rel, target) + ")"
}

func (w *rewriter) join(targets []string) string {
	parts := make([]string, 0, len(targets))
	for _, t := range dedupe(targets) {
		parts = append(parts, w.cite(t))
	}
	return strings.Join(parts, ", ")
}

// facts rewrites "facts A1, A2" (factsRe).
func (w *rewriter) facts(s string) string {
	return replace(factsRe, s, func(m []string, _ bool) (string, bool) {
		pre, sep, first, tail := m[1], m[2], m[3], m[4]
		if strings.Contains(sep, "\n") && len(first) == 1 && first[0] >= 'A' {
			return "", false // "facts\n// A token…": a word, not a section
		}
		ids, err := expand(first, tail)
		if err != nil {
			w.fail("%q: %v", strings.TrimLeft(m[0], " \t"), err)
			return "", false
		}
		if i := strings.IndexByte(sep, '\n'); i >= 0 {
			pre = sep[i:]
		}
		return pre + w.join(ids), true
	})
}

// bare rewrites ids written without "facts" (bareCites).
func (w *rewriter) bare(s string) string {
	var b strings.Builder
	last := 0
	for _, c := range bareCites(w.rel, s) {
		first, tail := splitFirst(c.ids)
		ids, err := expand(first, tail)
		if err != nil {
			w.fail("%q: %v", c.ids, err)
			continue
		}
		b.WriteString(s[last:c.start])
		b.WriteString(w.join(ids))
		last = c.end
	}
	b.WriteString(s[last:])
	return b.String()
}

// files rewrites paths of the old shared documents (fileRe).
func (w *rewriter) files(s string) string {
	return replace(fileRe, s, func(m []string, alone bool) (string, bool) {
		if !alone || !oldFile(m) {
			return "", false
		}
		if !strings.Contains(m[1], "git-credential-protocol") {
			return w.cite(behaviourDoc) + suffixSection(m), true
		}
		if m[2] == "" {
			return w.cite(protocolDoc), true
		}
		a, ok := protocolAnchors[m[2]]
		if !ok {
			w.fail("%q: no section %s", m[0], m[2])
			return "", false
		}
		return w.cite(protocolDoc + "#" + a), true
	})
}

// design rewrites design.md and its quoted section titles (designRe).
func (w *rewriter) design(s string) string {
	return replace(designRe, s, func(m []string, alone bool) (string, bool) {
		if !alone {
			return "", false
		}
		titles := quotedRe.FindAllStringSubmatch(m[2], -1)
		if len(titles) == 0 {
			return w.cite(designSections[""]), true
		}
		var targets []string
		for _, t := range titles {
			target, ok := designSections[strings.ToLower(t[1])]
			if !ok {
				w.fail("%q: no mapping for design.md section %q", m[0], t[1])
				return "", false
			}
			targets = append(targets, target)
		}
		return w.join(targets), true
	})
}

// splitFirst cuts a bareRe list into its first id and the rest.
func splitFirst(list string) (string, string) {
	i := strings.IndexAny(list, ",/-–—")
	if i < 0 {
		return list, ""
	}
	return list[:i], list[i:]
}

// oldFile reports whether a fileRe match names an old shared document: a
// bare "git-credential-protocol.md" without a section is a relative link
// inside docs/, not an old citation.
func oldFile(m []string) bool {
	return !(strings.TrimPrefix(m[0], "`") == "git-credential-protocol.md" && m[2] == "")
}

// suffixSection keeps a "§ n" that followed a facts-file path (that file
// had no numbered sections, so the text stays for a person to read).
func suffixSection(m []string) string {
	if m[2] == "" {
		return ""
	}
	return " §" + m[2]
}

// expand turns the ids of one citation into targets, expanding ranges
// such as A1-A5.
func expand(first, tail string) ([]string, error) {
	ids := []string{first}
	for _, t := range tailIDRe.FindAllStringSubmatch(tail, -1) {
		if t[1] != "" {
			r, err := idRange(ids[len(ids)-1], t[2])
			if err != nil {
				return nil, err
			}
			ids = append(ids, r...)
			continue
		}
		ids = append(ids, t[2])
	}
	targets := make([]string, 0, len(ids))
	for _, s := range ids {
		t, ok := factTarget(s)
		if !ok {
			return nil, fmt.Errorf("no section %s in the mapping", s)
		}
		targets = append(targets, t)
	}
	return targets, nil
}

// factTarget is the behaviourDoc anchor of one old id.
func factTarget(s string) (string, bool) {
	if n, ok := strings.CutPrefix(s, "S-"); ok {
		for _, x := range sourceIDs {
			if x == n {
				return behaviourDoc + "#source-" + n, true
			}
		}
		return "", false
	}
	a, ok := factAnchors[s]
	return behaviourDoc + "#" + a, ok
}

// idRange lists the ids after from up to and including to, both of one
// letter ("A3"–"A7"); a range of anything else is refused.
func idRange(from, to string) ([]string, error) {
	lo, okLo := rangeNum(from)
	hi, okHi := rangeNum(to)
	if !okLo || !okHi || from[0] != to[0] || hi < lo {
		return nil, fmt.Errorf("cannot expand the range %s-%s", from, to)
	}
	var out []string
	for n := lo + 1; n <= hi; n++ {
		out = append(out, from[:1]+strconv.Itoa(n))
	}
	return out, nil
}

func rangeNum(s string) (int, bool) {
	if len(s) < 2 || s[0] < 'A' || s[0] > 'F' {
		return 0, false
	}
	n, err := strconv.Atoi(s[1:])
	return n, err == nil
}

// replace substitutes each match of re in s for which fn says ok; fn gets
// the submatches and whether the match stands on its own (boundary).
func replace(re *regexp.Regexp, s string, fn func(m []string, alone bool) (string, bool)) string {
	var b strings.Builder
	last := 0
	for _, loc := range re.FindAllStringSubmatchIndex(s, -1) {
		m := make([]string, len(loc)/2)
		for i := range m {
			if loc[2*i] >= 0 {
				m[i] = s[loc[2*i]:loc[2*i+1]]
			}
		}
		r, ok := fn(m, boundary(s, loc[0]))
		if !ok {
			continue
		}
		b.WriteString(s[last:loc[0]])
		b.WriteString(r)
		last = loc[1]
	}
	b.WriteString(s[last:])
	return b.String()
}

// boundary reports whether a path starting at offset at in s stands on
// its own: not inside a URL, a longer path or a word.
func boundary(s string, at int) bool {
	if at == 0 {
		return true
	}
	c := s[at-1]
	return !(c == '/' || c == '.' || c == ':' || c == '-' || c == '_' ||
		c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z')
}

// relTo is target (from the module root) as a link from the file rel.
func relTo(rel, target string) string {
	dir := path.Dir(rel)
	if dir == "." {
		return target
	}
	return strings.Repeat("../", strings.Count(dir, "/")+1) + target
}

func dedupe(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}
