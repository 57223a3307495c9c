package gitconfig

import (
	"net/url"
	"os"
	"runtime"
	"strings"
)

// ExposedSecretFile returns a git config file, readable by group or
// others, that sets bitbucket.clientSecret (URL-less, or for a URL that
// covers remote), and "" when there is none. A secret there is readable
// by every local user who can read the file (issue 10, point 11); the
// caller warns and names clientSecretFile. The check is skipped on
// Windows, which has no such mode bits.
func ExposedSecretFile(entries []Entry, remote *url.URL) string {
	if runtime.GOOS == "windows" {
		return ""
	}
	for _, e := range entries {
		if e.Var != "clientsecret" || (e.URL != "" && !Covers(e.URL, remote)) {
			continue
		}
		path, ok := strings.CutPrefix(e.Origin, "file:")
		if !ok || path == "" {
			continue // command line, blob, stdin: no file to protect
		}
		if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o044 != 0 {
			return path
		}
	}
	return ""
}
