package cli

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"syscall"
)

// isNetError reports whether err is a transport failure (no HTTP answer).
func isNetError(err error) bool {
	var ue *url.Error
	var ne net.Error
	return errors.As(err, &ue) || errors.As(err, &ne) || errors.Is(err, context.DeadlineExceeded)
}

// networkText explains a transport failure talking to where in words,
// with what to do, instead of Go's dial error.
func networkText(where string, err error) string {
	var dns *net.DNSError
	var unknownCA x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var certInvalid x509.CertificateInvalidError
	var recordHeader tls.RecordHeaderError
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return fmt.Sprintf("%s refused the connection: nothing listens there (server down, or a wrong port in the URL)", where)
	case errors.As(err, &dns):
		return fmt.Sprintf("cannot resolve the host of %s: check the URL, your DNS or VPN", where)
	case errors.As(err, &unknownCA):
		return fmt.Sprintf("%s presents a certificate from an authority this machine does not trust: install your company's CA certificate", where)
	case errors.As(err, &hostname), errors.As(err, &certInvalid):
		return fmt.Sprintf("%s presents a certificate that is not valid for it (%v)", where, oneLine(err.Error()))
	case errors.As(err, &recordHeader):
		return fmt.Sprintf("%s does not speak TLS on that port: use http:// or the right port", where)
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return fmt.Sprintf("%s did not answer in time: check the network, a proxy (HTTPS_PROXY) or the server", where)
	case errors.Is(err, syscall.ECONNRESET):
		return fmt.Sprintf("%s closed the connection: a proxy or firewall in between, or the server restarting", where)
	}
	return fmt.Sprintf("cannot reach %s: %s", where, oneLine(err.Error()))
}
