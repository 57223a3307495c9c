// Package netmsg explains a failure to reach a server in one line that
// names the host, what happened and what to check next, never a raw Go
// error: "cannot reach bitbucket.example.com:443 (connection refused): is
// the server up? …". Both products' HTTP calls pass their transport
// errors through Explain.
package netmsg

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"syscall"
)

// Error is a transport failure, explained.
type Error struct {
	Host string // host:port
	What string // what happened, e.g. "connection refused"
	Next string // what to check or run next
	Err  error  // the transport error
}

func (e *Error) Error() string {
	return fmt.Sprintf("cannot reach %s (%s): %s", e.Host, e.What, e.Next)
}

func (e *Error) Unwrap() error { return e.Err }

// The next steps, by cause.
const (
	checkURL   = "check the remote URL and bitbucket.apiURL"
	checkProxy = "and the proxy settings (HTTPS_PROXY, NO_PROXY)"
)

// Explain returns err as an *Error when it is a failure to reach the
// server (refused, DNS, timeout, TLS, a connection closed), else err as
// it is. A cancelled context (Ctrl-C) is not explained.
func Explain(err error) error {
	if err == nil || errors.Is(err, context.Canceled) {
		return err
	}
	var done *Error
	if errors.As(err, &done) {
		return err
	}
	host := hostOf(err)
	if host == "" {
		return err
	}
	what, next := classify(err)
	if what == "" {
		return err
	}
	return &Error{Host: host, What: what, Next: next, Err: err}
}

func classify(err error) (what, next string) {
	var dns *net.DNSError
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	var record tls.RecordHeaderError
	var ne net.Error
	switch {
	case errors.As(err, &dns) && dns.IsNotFound:
		return "no such host", "check the host name in the remote URL and bitbucket.apiURL, or your DNS or VPN"
	case errors.As(err, &dns):
		return "DNS lookup failed", "check your network, DNS or VPN, " + checkProxy
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused", "is the server up? " + checkURL + " " + checkProxy
	case errors.As(err, &unknownCA):
		return "TLS: the server's certificate is signed by an unknown authority", "install your organisation's CA certificate (SSL_CERT_FILE or the system store), or " + checkProxy
	case errors.As(err, &hostErr):
		return "TLS: the server's certificate is not for this host", checkURL
	case errors.As(err, &invalid):
		return "TLS: the server's certificate is not valid (" + invalidReason(invalid) + ")", "check this machine's clock, or ask the server's administrator"
	case errors.As(err, &record), strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"): // net/http's own words, not typed
		return "TLS: the server does not speak TLS on this port", "use http:// or the right port in the remote URL"
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "no answer in time", "is the host reachable from here (VPN, firewall)? " + checkProxy + "; bitbucket.timeout (GIT_CREDENTIAL_BITBUCKET_TIMEOUT) allows longer"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "the connection was closed", "is a proxy or firewall in between? " + checkProxy
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return "no route to the host", "check your network or VPN, " + checkProxy
	}
	return "", ""
}

func invalidReason(e x509.CertificateInvalidError) string {
	switch e.Reason {
	case x509.Expired:
		return "expired or not yet valid"
	case x509.NotAuthorizedToSign:
		return "signed by a certificate that may not sign"
	}
	return "refused by the verifier"
}

// hostOf is the host:port the failed request went to.
func hostOf(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil && u.Host != "" {
			if u.Port() != "" {
				return u.Host
			}
			port := "443"
			if strings.EqualFold(u.Scheme, "http") {
				port = "80"
			}
			return net.JoinHostPort(u.Hostname(), port)
		}
	}
	var oe *net.OpError
	if errors.As(err, &oe) && oe.Addr != nil {
		return oe.Addr.String()
	}
	var dns *net.DNSError
	if errors.As(err, &dns) && dns.Name != "" {
		return dns.Name
	}
	return ""
}
