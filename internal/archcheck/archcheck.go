// Package archcheck keeps ARCHITECTURE.md's package graph true: it parses
// the import rules of the document's fenced "imports" block and checks
// them, and every package's doc comment, against what `go list` reports
// for each package of the module.
package archcheck

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Package is one package of the module as the rules see it: paths are
// relative to the module (helper/cli), and imports hold only the module's
// own packages.
type Package struct {
	Path    string
	Name    string // the package clause: main for a command
	Doc     string // the doc comment's first sentence
	Imports []string
	// TestImports are the module's packages that the package's tests
	// import (in-package and external tests).
	TestImports []string
	// Files names, for an import, one file that makes it (for messages).
	Files map[string]string
	// Lines counts the lines of the package's non-test Go files.
	Lines int
}

// Rule is one line of the block.
type Rule struct {
	Line  int      // in the document, for messages
	From  string   // a package or pattern (x/...)
	To    []string // packages or patterns
	Never bool     // a "!:" line: forbidden, tests included
	Max   int      // a "<= N lines" line: the most non-test lines From may have
}

// Rules is the parsed block.
type Rules struct {
	Allow []Rule
	Never []Rule
	Size  []Rule
}

// Parse reads the first ```imports block of doc (ARCHITECTURE.md).
func Parse(doc []byte) (*Rules, error) {
	sc := bufio.NewScanner(bytes.NewReader(doc))
	aliases := map[string]string{}
	rules := &Rules{}
	in, found := false, false
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case !in && line == "```imports":
			in, found = true, true
			continue
		case in && line == "```":
			return rules, nil
		case !in || line == "" || strings.HasPrefix(line, "#"):
			continue
		}
		if name, path, ok := strings.Cut(line, "="); ok && strings.HasPrefix(line, "$") {
			aliases[strings.TrimSpace(name)] = strings.TrimSpace(path)
			continue
		}
		if from, max, ok := strings.Cut(line, "<="); ok {
			r := Rule{Line: n, From: strings.TrimSpace(from)}
			if _, err := fmt.Sscanf(strings.TrimSpace(max), "%d lines", &r.Max); err != nil || r.Max <= 0 {
				return nil, fmt.Errorf("ARCHITECTURE.md line %d: %q: want \"pkg <= N lines\"", n, line)
			}
			rules.Size = append(rules.Size, r)
			continue
		}
		from, to, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Errorf("ARCHITECTURE.md line %d: %q is neither \"pkg: imports\", \"pkg !: imports\", \"pkg <= N lines\" nor \"$name = path\"", n, line)
		}
		r := Rule{Line: n}
		if strings.HasSuffix(from, "!") {
			r.Never, from = true, strings.TrimSuffix(from, "!")
		}
		var err error
		if r.From, err = expand(strings.TrimSpace(from), aliases, n); err != nil {
			return nil, err
		}
		for _, f := range strings.Fields(to) {
			p, err := expand(f, aliases, n)
			if err != nil {
				return nil, err
			}
			r.To = append(r.To, p)
		}
		if r.Never {
			rules.Never = append(rules.Never, r)
		} else {
			rules.Allow = append(rules.Allow, r)
		}
	}
	if !found {
		return nil, fmt.Errorf("ARCHITECTURE.md has no ```imports block")
	}
	return nil, fmt.Errorf("ARCHITECTURE.md: the ```imports block is not closed")
}

func expand(s string, aliases map[string]string, line int) (string, error) {
	if !strings.HasPrefix(s, "$") {
		return s, nil
	}
	p, ok := aliases[s]
	if !ok {
		return "", fmt.Errorf("ARCHITECTURE.md line %d: %s is not defined (add \"%s = path\" above it)", line, s, s)
	}
	return p, nil
}

// match reports whether pkg is pattern, or under it when pattern ends in /...
func match(pattern, pkg string) bool {
	if base, ok := strings.CutSuffix(pattern, "/..."); ok {
		return pkg == base || strings.HasPrefix(pkg, base+"/")
	}
	return pattern == pkg
}

// ruleFor is the allow rule that governs pkg: the one naming it, else the
// pattern with the longest base.
func (r *Rules) ruleFor(pkg string) *Rule {
	var best *Rule
	for i := range r.Allow {
		a := &r.Allow[i]
		if !match(a.From, pkg) {
			continue
		}
		if a.From == pkg {
			return a
		}
		if best == nil || len(a.From) > len(best.From) {
			best = a
		}
	}
	return best
}

// Check returns one line per problem: an import no rule allows, a
// forbidden import, a package without a rule or without a doc comment
// that says its job, and a rule or allowance that matches nothing (the
// map would be stale). Nil when the code and the document agree.
func (r *Rules) Check(pkgs []Package) []string {
	var out []string
	used := map[*Rule]map[string]bool{}
	paths := make([]string, 0, len(pkgs))
	for _, p := range pkgs {
		paths = append(paths, p.Path)
		out = append(out, checkDoc(p)...)
		rule := r.ruleFor(p.Path)
		if rule == nil {
			out = append(out, fmt.Sprintf("package %s has no rule in ARCHITECTURE.md's imports block: add a line %q",
				p.Path, p.Path+": "+strings.Join(p.Imports, " ")))
			continue
		}
		if used[rule] == nil {
			used[rule] = map[string]bool{}
		}
		for _, imp := range p.Imports {
			ok := false
			for _, to := range rule.To {
				if match(to, imp) {
					ok, used[rule][to] = true, true
				}
			}
			if !ok {
				out = append(out, fmt.Sprintf("%s imports %s, which ARCHITECTURE.md line %d (%s: ...) does not allow: remove the import, or add it to that rule if the dependency is right",
					where(p, imp), imp, rule.Line, rule.From))
			}
		}
		for _, sz := range r.Size {
			if match(sz.From, p.Path) && p.Lines > sz.Max {
				out = append(out, fmt.Sprintf("%s has %d lines of non-test Go, more than the %d that ARCHITECTURE.md line %d allows: move the work into a package it imports",
					p.Path, p.Lines, sz.Max, sz.Line))
			}
		}
		for _, n := range r.Never {
			if !match(n.From, p.Path) {
				continue
			}
			for _, imp := range append(append([]string(nil), p.Imports...), p.TestImports...) {
				for _, to := range n.To {
					if match(to, imp) {
						out = append(out, fmt.Sprintf("%s imports %s, which ARCHITECTURE.md line %d forbids (%s never imports %s, tests included)",
							where(p, imp), imp, n.Line, n.From, to))
					}
				}
			}
		}
	}
	out = append(out, r.stale(paths, used)...)
	return out
}

// stale reports rules whose package is gone and allowances no package uses.
func (r *Rules) stale(paths []string, used map[*Rule]map[string]bool) []string {
	var out []string
	for _, rules := range [][]Rule{r.Allow, r.Never, r.Size} {
		for i := range rules {
			a := &rules[i]
			if !matchesAny(a.From, paths) {
				out = append(out, fmt.Sprintf("ARCHITECTURE.md line %d: %s names no package of the module (renamed or removed?): update the rule", a.Line, a.From))
				continue
			}
			if a.Never || a.Max > 0 {
				continue
			}
			for _, to := range a.To {
				if !used[a][to] {
					out = append(out, fmt.Sprintf("ARCHITECTURE.md line %d: %s is allowed %s but imports nothing it matches: remove %s from the rule", a.Line, a.From, to, to))
				}
			}
		}
	}
	return out
}

func matchesAny(pattern string, paths []string) bool {
	for _, p := range paths {
		if match(pattern, p) {
			return true
		}
	}
	return false
}

// checkDoc wants "Package name ..." (or "Command name ..." for a main).
func checkDoc(p Package) []string {
	word := "Package " + p.Name + " "
	if p.Name == "main" {
		word = "Command " + filepath.Base(p.Path) + " "
	}
	if !strings.HasPrefix(p.Doc, word) {
		return []string{fmt.Sprintf("package %s has no doc comment that says its job: add \"// %s...\" above its package clause (doc now %q)", p.Path, word, p.Doc)}
	}
	return nil
}

func where(p Package, imp string) string {
	if f := p.Files[imp]; f != "" {
		return p.Path + " (" + f + ")"
	}
	return p.Path
}

// List runs `go list` in dir (the module's root) and returns every package
// of the module, sorted by path.
func List(dir string) ([]Package, error) {
	cmd := exec.Command("go", "list", "-e", "-json=ImportPath,Name,Doc,Dir,Module,GoFiles,CgoFiles,TestGoFiles,XTestGoFiles,Imports,TestImports,XTestImports,Error", "./...")
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	raw, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	var out []Package
	dec := json.NewDecoder(bytes.NewReader(raw))
	for dec.More() {
		var lp struct {
			ImportPath, Name, Doc, Dir                   string
			Module                                       struct{ Path string }
			GoFiles, CgoFiles, TestGoFiles, XTestGoFiles []string
			Imports, TestImports, XTestImports           []string
			Error                                        *struct{ Err string }
		}
		if err := dec.Decode(&lp); err != nil {
			return nil, fmt.Errorf("go list: %v", err)
		}
		if lp.Error != nil {
			return nil, fmt.Errorf("go list %s: %s", lp.ImportPath, lp.Error.Err)
		}
		mod := lp.Module.Path
		p := Package{Path: rel(mod, lp.ImportPath), Name: lp.Name, Doc: lp.Doc,
			Imports:     own(mod, lp.Imports),
			TestImports: own(mod, append(lp.TestImports, lp.XTestImports...)),
			Files:       map[string]string{}}
		nonTest := len(lp.GoFiles) + len(lp.CgoFiles)
		files := append(append(append(append([]string(nil), lp.GoFiles...), lp.CgoFiles...), lp.TestGoFiles...), lp.XTestGoFiles...)
		for i, f := range files {
			src, err := os.ReadFile(filepath.Join(lp.Dir, f))
			if err != nil {
				return nil, err
			}
			if i < nonTest {
				p.Lines += bytes.Count(src, []byte("\n"))
			}
			parsed, err := parser.ParseFile(token.NewFileSet(), f, src, parser.ImportsOnly)
			if err != nil {
				continue
			}
			for _, is := range parsed.Imports {
				imp, _ := strconv.Unquote(is.Path.Value)
				if k := rel(mod, imp); k != imp || imp == mod {
					if p.Files[k] == "" {
						p.Files[k] = filepath.ToSlash(filepath.Join(p.Path, f))
					}
				}
			}
		}
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// own keeps the module's packages among imports, relative to the module.
func own(mod string, imports []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, imp := range imports {
		if k := rel(mod, imp); (k != imp || imp == mod) && !seen[k] && k != "" {
			seen[k] = true
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// rel is path relative to the module mod ("." for the module's root).
func rel(mod, path string) string {
	if path == mod {
		return "."
	}
	return strings.TrimPrefix(path, mod+"/")
}
