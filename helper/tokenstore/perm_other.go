//go:build !unix

package tokenstore

import "io/fs"

// checkOwner is a no-op where file ownership is not a uid.
func checkOwner(string, fs.FileInfo) error { return nil }

// syncDir is a no-op where directories cannot be opened for sync.
func syncDir(string) error { return nil }
