//go:build !unix

package tokenstore

import (
	"io/fs"
	"os"
)

// checkOwner is a no-op where file ownership is not a uid. On Windows the
// owner and ACL checks are skipped: the store lives in the user's
// %LOCALAPPDATA%, whose inherited ACL already grants only that user (plus
// SYSTEM and Administrators); Go's 0700/0600 modes map to the read-only
// attribute only (README.md, where tokens live).
func checkOwner(string, fs.FileInfo) error { return nil }

// sharedBits is 0: Windows file modes say nothing about other users (Go
// reports 0666 or 0444 from the read-only attribute), so the mode checks
// of Open and load are skipped along with checkOwner.
func sharedBits(fs.FileInfo) fs.FileMode { return 0 }

// syncDir is a no-op where directories cannot be opened for sync.
func syncDir(string) error { return nil }

// openNoFollow opens path for reading (symbolic links are rare there;
// the regular-file check after opening still applies).
func openNoFollow(path string) (*os.File, error) { return os.Open(path) }

func isSymlinkErr(error) bool { return false }
