// Command cite-rewrite converts old-style citations (a section id of the
// old shared facts file after the word "facts", the old shared design
// document and its section titles, paths under the old shared reference
// directory) in every .go, .md and .txtar file of the repository into
// anchors of docs/bitbucket-behaviour.md,
// docs/git-credential-protocol.md and the READMEs (mapping in
// internal/citations). Run it from the module root, as often as needed:
//
//	go run ./scripts/cite-rewrite        # rewrite in place
//	go run ./scripts/cite-rewrite -n     # only list what would change
//
// It exits 1 when a citation has no mapping (left as it was, so the test
// of internal/citations keeps failing until someone maps or fixes it).
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/bbcred/git-credential-bitbucket/internal/citations"
)

func main() {
	dry := flag.Bool("n", false, "list the files that would change, write nothing")
	root := flag.String("C", ".", "module root")
	flag.Parse()
	if err := run(*root, *dry); err != nil {
		fmt.Fprintln(os.Stderr, "cite-rewrite:", err)
		os.Exit(1)
	}
}

func run(root string, dry bool) error {
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		return fmt.Errorf("%s is not the module root: %w", root, err)
	}
	files, err := citations.Files(root)
	if err != nil {
		return err
	}
	var unknown []string
	changed := 0
	for _, rel := range files {
		p := filepath.Join(root, filepath.FromSlash(rel))
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out, u := citations.Rewrite(rel, string(b))
		unknown = append(unknown, u...)
		if out == string(b) {
			continue
		}
		changed++
		fmt.Println(rel)
		if dry {
			continue
		}
		if err := os.WriteFile(p, []byte(out), 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "cite-rewrite: %d of %d files changed\n", changed, len(files))
	for _, u := range unknown {
		fmt.Fprintln(os.Stderr, "cite-rewrite: unmapped:", u)
	}
	if len(unknown) > 0 {
		return fmt.Errorf("%d citations have no mapping (see internal/citations/mapping.go)", len(unknown))
	}
	return nil
}
