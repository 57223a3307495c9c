package mockserver

// OAuth 1.0a message parsing and RSA-SHA1 verification (RFC 5849 §3.4),
// as Atlassian's service provider does it for application links. Pure
// functions: no state, no clock.

import (
	"bytes"
	"crypto"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// maxFormBody bounds the form body read for the signature base string.
const maxFormBody = 1 << 20

// oauthParam is one name/value pair, decoded.
type oauthParam struct{ name, value string }

// oauth1Message is an OAuth-signed request taken apart: every parameter
// that takes part in the signature, and the signature itself.
type oauth1Message struct {
	method    string
	baseURL   string       // RFC 5849 §3.4.1.2 base string URI
	params    []oauthParam // header (minus realm and oauth_signature), query, form body
	signature string       // decoded oauth_signature value
	hasSig    bool         // oauth_signature was present (possibly empty)
}

// get returns the value of name and whether it is present. Protocol
// parameters appear at most once (parseOAuth1Message checks).
func (m *oauth1Message) get(name string) (string, bool) {
	if name == "oauth_signature" {
		return m.signature, m.hasSig
	}
	for _, p := range m.params {
		if p.name == name {
			return p.value, true
		}
	}
	return "", false
}

// value returns the value of name, "" when absent.
func (m *oauth1Message) value(name string) string {
	v, _ := m.get(name)
	return v
}

// isOAuth1Request reports whether r carries OAuth 1 protocol parameters:
// an "Authorization: OAuth" header, or oauth_consumer_key in the query.
func isOAuth1Request(r *http.Request) bool {
	if _, ok := authScheme(r.Header.Get("Authorization"), "OAuth"); ok {
		return true
	}
	return r.URL.Query().Has("oauth_consumer_key")
}

// authScheme returns what follows scheme in an Authorization header value
// when the scheme matches (case-insensitively).
func authScheme(h, scheme string) (string, bool) {
	if len(h) < len(scheme) || !strings.EqualFold(h[:len(scheme)], scheme) {
		return "", false
	}
	rest := h[len(scheme):]
	if rest != "" && rest[0] != ' ' && rest[0] != '\t' {
		return "", false
	}
	return strings.TrimLeft(rest, " \t"), true
}

// parseOAuth1Message collects the parameters of r as RFC 5849 §3.4.1.3.1
// lists them: the Authorization header's (realm excluded), the query's, and
// the body's when it is a single-part form. oauth_signature is set apart.
// The body is put back so handlers can read it again.
func parseOAuth1Message(r *http.Request) (*oauth1Message, *oauthProblem) {
	msg := &oauth1Message{method: strings.ToUpper(r.Method), baseURL: baseStringURI(r)}
	var all []oauthParam
	if rest, ok := authScheme(r.Header.Get("Authorization"), "OAuth"); ok {
		ps, err := parseAuthorizationParams(rest)
		if err != nil {
			return nil, problem("parameter_rejected", "oauth_problem_advice", "malformed Authorization header")
		}
		for _, p := range ps {
			if p.name != "realm" {
				all = append(all, p)
			}
		}
	}
	q, err := parseFormPairs(r.URL.RawQuery)
	if err != nil {
		return nil, problem("parameter_rejected", "oauth_problem_advice", "malformed query string")
	}
	all = append(all, q...)
	if isFormBody(r) && r.Body != nil {
		b, err := io.ReadAll(io.LimitReader(r.Body, maxFormBody+1))
		if err != nil || len(b) > maxFormBody {
			return nil, problem("parameter_rejected", "oauth_problem_advice", "unreadable or oversized form body")
		}
		r.Body = io.NopCloser(bytes.NewReader(b))
		f, err := parseFormPairs(string(b))
		if err != nil {
			return nil, problem("parameter_rejected", "oauth_problem_advice", "malformed form body")
		}
		all = append(all, f...)
	}
	seen := map[string]bool{}
	for _, p := range all {
		if strings.HasPrefix(p.name, "oauth_") {
			// RFC 5849 §3.1: protocol parameters appear once, in one place.
			if seen[p.name] {
				return nil, problem("parameter_rejected", "oauth_parameters_rejected", p.name)
			}
			seen[p.name] = true
		}
		if p.name == "oauth_signature" {
			msg.signature, msg.hasSig = p.value, true
			continue
		}
		msg.params = append(msg.params, p)
	}
	return msg, nil
}

// isFormBody reports whether r's body is application/x-www-form-urlencoded
// (parameters such as charset allowed, as a servlet container parses it).
func isFormBody(r *http.Request) bool {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return false
	}
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && mt == "application/x-www-form-urlencoded"
}

// parseFormPairs decodes an application/x-www-form-urlencoded string ('+'
// is a space) keeping order and duplicates. "a" and "a=" both give a="".
func parseFormPairs(s string) ([]oauthParam, error) {
	var out []oauthParam
	for s != "" {
		var part string
		part, s, _ = strings.Cut(s, "&")
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		name, err := url.QueryUnescape(k)
		if err != nil {
			return nil, fmt.Errorf("decode parameter name: %w", err)
		}
		value, err := url.QueryUnescape(v)
		if err != nil {
			return nil, fmt.Errorf("decode parameter %q: %w", name, err)
		}
		out = append(out, oauthParam{name, value})
	}
	return out, nil
}

var errMalformedAuth = errors.New("malformed OAuth Authorization header")

// parseAuthorizationParams parses the comma-separated name="value" list of
// an OAuth Authorization header (RFC 5849 §3.5.1); names and values are
// percent-decoded ('+' stays a plus).
func parseAuthorizationParams(s string) ([]oauthParam, error) {
	var out []oauthParam
	for {
		s = strings.TrimLeft(s, " \t,")
		if s == "" {
			return out, nil
		}
		eq := strings.IndexByte(s, '=')
		if eq <= 0 {
			return nil, errMalformedAuth
		}
		rawName := strings.TrimSpace(s[:eq])
		s = strings.TrimLeft(s[eq+1:], " \t")
		var rawValue string
		if strings.HasPrefix(s, `"`) {
			end := strings.IndexByte(s[1:], '"')
			if end < 0 {
				return nil, errMalformedAuth
			}
			rawValue, s = s[1:1+end], s[2+end:]
		} else {
			end := strings.IndexAny(s, ", \t")
			if end < 0 {
				end = len(s)
			}
			rawValue, s = s[:end], s[end:]
		}
		s = strings.TrimLeft(s, " \t")
		if s != "" && s[0] != ',' {
			return nil, errMalformedAuth
		}
		name, err := url.PathUnescape(rawName)
		if err != nil {
			return nil, errMalformedAuth
		}
		value, err := url.PathUnescape(rawValue)
		if err != nil {
			return nil, errMalformedAuth
		}
		out = append(out, oauthParam{name, value})
	}
}

// baseStringURI is the RFC 5849 §3.4.1.2 base string URI of r as the
// server sees it: scheme from the TLS state, host from the Host header,
// both lowercased, the scheme's default port dropped, the path as sent
// (context path included), no query.
func baseStringURI(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + normalizeHost(scheme, r.Host) + r.URL.EscapedPath()
}

// normalizeHost lowercases host and drops the scheme's default port.
func normalizeHost(scheme, host string) string {
	host = strings.ToLower(host)
	if h, port, err := net.SplitHostPort(host); err == nil {
		if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
			if strings.Contains(h, ":") {
				return "[" + h + "]"
			}
			return h
		}
	}
	return host
}

// percentEncode is RFC 5849 §3.6: every byte outside RFC 3986's unreserved
// set becomes %XX with uppercase hex.
func percentEncode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// normalizedParams is RFC 5849 §3.4.1.3.2: encode names and values, sort by
// name then value (byte order), join name=value with '&'.
func normalizedParams(params []oauthParam) string {
	enc := make([]oauthParam, len(params))
	for i, p := range params {
		enc[i] = oauthParam{percentEncode(p.name), percentEncode(p.value)}
	}
	sort.Slice(enc, func(i, j int) bool {
		if enc[i].name != enc[j].name {
			return enc[i].name < enc[j].name
		}
		return enc[i].value < enc[j].value
	})
	parts := make([]string, len(enc))
	for i, p := range enc {
		parts[i] = p.name + "=" + p.value
	}
	return strings.Join(parts, "&")
}

// signatureBaseString is RFC 5849 §3.4.1.1.
func (m *oauth1Message) signatureBaseString() string {
	return m.method + "&" + percentEncode(m.baseURL) + "&" + percentEncode(normalizedParams(m.params))
}

// verifyRSASHA1 checks an RFC 5849 §3.4.3 signature (base64 PKCS#1 v1.5
// over SHA-1 of the base string).
func verifyRSASHA1(pub *rsa.PublicKey, baseString, signature string) error {
	sig, err := base64.StdEncoding.DecodeString(signature)
	if err != nil {
		// Some clients drop the padding.
		sig, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(signature, "="))
		if err != nil {
			return fmt.Errorf("signature is not base64: %w", err)
		}
	}
	digest := sha1.Sum([]byte(baseString))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA1, digest[:], sig); err != nil {
		return fmt.Errorf("verify signature: %w", err)
	}
	return nil
}

// parseRSAPublicKey accepts what an application link's "public key" field
// may hold: a PEM "PUBLIC KEY" (PKIX), "RSA PUBLIC KEY" (PKCS#1) or
// "CERTIFICATE", or the bare base64 DER Atlassian's UI shows.
func parseRSAPublicKey(s string) (*rsa.PublicKey, error) {
	var der []byte
	kind := "PUBLIC KEY"
	if block, _ := pem.Decode([]byte(s)); block != nil {
		der, kind = block.Bytes, block.Type
	} else {
		b, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(s), ""))
		if err != nil {
			return nil, errors.New("public key is neither PEM nor base64 DER")
		}
		der = b
	}
	var key any
	var err error
	switch kind {
	case "RSA PUBLIC KEY":
		key, err = x509.ParsePKCS1PublicKey(der)
	case "CERTIFICATE":
		var c *x509.Certificate
		if c, err = x509.ParseCertificate(der); err == nil {
			key = c.PublicKey
		}
	default:
		key, err = x509.ParsePKIXPublicKey(der)
	}
	if err != nil {
		return nil, fmt.Errorf("parse public key: %w", err)
	}
	pub, ok := key.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("public key is %T, want RSA", key)
	}
	return pub, nil
}
