package citations

import (
	"regexp"
	"sort"
	"strings"
)

// list is one or more ids joined by commas, slashes, dashes or "and".
const list = id + `\b(?:(?:, |/|-|–|—|,? and )` + id + `\b)*`

var (
	// wordRe finds ids written without the word "facts" in prose: "OBS
	// A3", "(A5b, OBS)", "A0 is silent", "(0.3, A12)". Such a list counts
	// when it holds an id like A1 (letteredRe); it must not
	// follow a word character, '/', '#', '%', '.', '-', '[' or '`' (paths,
	// anchors, escapes, code).
	wordRe = regexp.MustCompile("(?:^|[^\\w/#%.\\-\\[`])(" + list + ")")
	// punctRe (Markdown only) also takes lists without such an id when
	// they stand between punctuation, as the READMEs wrote them: "(0.2,
	// C)", "(faithful, 0.11)".
	punctRe = regexp.MustCompile(`(?:[(]|[,;] )(` + list + `)[),;]`)

	numberedRe = regexp.MustCompile(`\b(?:[A-F]\d|0\.\d)`)
	// letteredRe is an id of a part that had numbered sections.
	letteredRe = regexp.MustCompile(`\b(?:A(?:1[0-4]|\d)b?|[BDE][1-3])\b`)
)

// bareCite is one list of bare ids at src[start:end].
type bareCite struct {
	start, end int
	ids        string
}

// bareCites finds the bare-id citations of a file: in the prose of
// Markdown, in Go comments (after "//") and in txtar comment lines.
func bareCites(rel, src string) []bareCite {
	md := strings.HasSuffix(rel, ".md")
	var out []bareCite
	off := 0
	for _, line := range strings.SplitAfter(src, "\n") {
		at := textStart(rel, line)
		if at >= 0 && mayHoldID(line[at:], md) {
			out = append(out, lineCites(line[at:], off+at, md)...)
		}
		off += len(line)
	}
	return out
}

// lineCites finds the bare citations of one line's text, which starts at
// offset off of the file.
func lineCites(text string, off int, md bool) []bareCite {
	var out []bareCite
	taken := func(s, e int) bool {
		for _, c := range out {
			if s < c.end-off && e > c.start-off {
				return true
			}
		}
		return false
	}
	for _, m := range wordRe.FindAllStringSubmatchIndex(text, -1) {
		if ids := text[m[2]:m[3]]; letteredRe.MatchString(ids) {
			out = append(out, bareCite{off + m[2], off + m[3], ids})
		}
	}
	if md {
		for _, m := range punctRe.FindAllStringSubmatchIndex(text, -1) {
			if ids := text[m[2]:m[3]]; numberedRe.MatchString(ids) && !taken(m[2], m[3]) {
				out = append(out, bareCite{off + m[2], off + m[3], ids})
			}
		}
		sort.Slice(out, func(i, j int) bool { return out[i].start < out[j].start })
	}
	return out
}

// textStart is where prose starts in line, or -1: the whole line in
// Markdown, after "//" in Go (not "://"), after "#" on a txtar comment line.
func textStart(rel, line string) int {
	switch {
	case strings.HasSuffix(rel, ".md"):
		return 0
	case strings.HasSuffix(rel, ".go"):
		if i := strings.Index(line, "//"); i >= 0 && (i == 0 || line[i-1] != ':') {
			return i + 2
		}
	case strings.HasSuffix(rel, ".txtar") && strings.HasPrefix(strings.TrimSpace(line), "#"):
		return strings.IndexByte(line, '#') + 1
	}
	return -1
}

// mayHoldID is a quick test before the regular expressions: an uppercase
// A-F before a digit, or in Markdown "0." as well.
func mayHoldID(text string, md bool) bool {
	for i := 0; i+1 < len(text); i++ {
		c, d := text[i], text[i+1]
		if c >= 'A' && c <= 'F' && d >= '0' && d <= '9' || md && c == '0' && d == '.' {
			return true
		}
	}
	return false
}
