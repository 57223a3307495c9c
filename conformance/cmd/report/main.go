// Command report reads `go test -json` output of the conformance suite on
// stdin and prints one line per case and the closing line
// "N passed, N failed, N skipped". It exits 1 when any case failed, and
// writes JUnit XML to the file named by -junit (default $CONFORMANCE_JUNIT).
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/bbcred/git-credential-bitbucket/conformance/internal/report"
)

func main() {
	junit := flag.String("junit", os.Getenv("CONFORMANCE_JUNIT"), "write JUnit XML to this file")
	flag.Parse()
	os.Exit(run(*junit))
}

func run(junit string) int {
	results, counts := report.Run(os.Stdin, os.Stdout)
	if junit != "" {
		if err := writeJUnit(junit, results); err != nil {
			fmt.Fprintln(os.Stderr, "report:", err)
			return 2
		}
	}
	if counts.Failed > 0 {
		return 1
	}
	return 0
}

func writeJUnit(path string, results []report.Result) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("junit: %w", err)
	}
	if err := report.WriteJUnit(f, results); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
