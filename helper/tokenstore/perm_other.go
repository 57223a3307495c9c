//go:build !unix

package tokenstore

import (
	"io/fs"
	"os"
)

// checkOwner is a no-op where file ownership is not a uid.
func checkOwner(string, fs.FileInfo) error { return nil }

// syncDir is a no-op where directories cannot be opened for sync.
func syncDir(string) error { return nil }

// openNoFollow opens path for reading (symbolic links are rare there;
// the regular-file check after opening still applies).
func openNoFollow(path string) (*os.File, error) { return os.Open(path) }

func isSymlinkErr(error) bool { return false }
