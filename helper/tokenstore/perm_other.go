//go:build !unix

package tokenstore

import "io/fs"

// checkOwner is a no-op where file ownership is not a uid. On Windows the
// owner and ACL checks are skipped: the store lives in the user's
// %LOCALAPPDATA%, whose inherited ACL already grants only that user (plus
// SYSTEM and Administrators); Go's 0700/0600 modes map to the read-only
// attribute only (README.md, "Where tokens are kept").
func checkOwner(string, fs.FileInfo) error { return nil }

// syncDir is a no-op where directories cannot be opened for sync.
func syncDir(string) error { return nil }
