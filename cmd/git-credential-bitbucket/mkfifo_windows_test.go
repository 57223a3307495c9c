package main

import "github.com/rogpeppe/go-internal/testscript"

// cmdMkfifo: Windows has no named pipes in the file system; the scripts
// that need a terminal stand-in run on Unix.
func cmdMkfifo(ts *testscript.TestScript, neg bool, args []string) {
	ts.Fatalf("mkfifo: no named pipes in the Windows file system")
}
