// Package loopback says which hosts are this machine: plain http (to a
// remote, an apiURL, a redirect listener) is allowed only to them.
package loopback

import (
	"net"
	"strings"
)

// Is reports whether host (a host name or IP literal, with or without a
// port) is localhost or a loopback IP literal — never a name such as
// 127.example.com.
func Is(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}
