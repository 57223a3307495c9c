package gitconfig

import "strings"

// IsCloudHost reports whether host (with optional port) is Bitbucket Cloud:
// exactly bitbucket.org (port 443 or none). Not bitbucket.org.evil.com.
//
// host is git's `host` attribute (git-credential(1)): the URL's host with
// ":port" when the URL names one. The comparison ignores case, as DNS does
// (RFC 4343); anything else, including a trailing dot, is not Cloud.
func IsCloudHost(host string) bool {
	return strings.EqualFold(host, "bitbucket.org") || strings.EqualFold(host, "bitbucket.org:443")
}
