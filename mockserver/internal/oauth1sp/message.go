package oauth1sp

// Message parsing and RSA-SHA1 verification (RFC 5849 §3.4),
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

// Param is one name/value pair, decoded.
type Param struct{ Name, Value string }

// Message is an OAuth-signed request taken apart: every parameter
// that takes part in the signature, and the signature itself.
type Message struct {
	method    string
	baseURL   string  // RFC 5849 §3.4.1.2 base string URI
	params    []Param // header (minus realm and oauth_signature), query, form body
	signature string  // decoded oauth_signature value
	hasSig    bool    // oauth_signature was present (possibly empty)
}

// Get returns the value of name and whether it is present. Protocol
// parameters appear at most once (Parse checks).
func (m *Message) Get(name string) (string, bool) {
	if name == "oauth_signature" {
		return m.signature, m.hasSig
	}
	for _, p := range m.params {
		if p.Name == name {
			return p.Value, true
		}
	}
	return "", false
}

// Value returns the value of name, "" when absent.
func (m *Message) Value(name string) string {
	v, _ := m.Get(name)
	return v
}

// IsRequest reports whether r carries OAuth 1 protocol parameters:
// an "Authorization: OAuth" header, or oauth_consumer_key in the query.
func IsRequest(r *http.Request) bool {
	if _, ok := AuthScheme(r.Header.Get("Authorization"), "OAuth"); ok {
		return true
	}
	return r.URL.Query().Has("oauth_consumer_key")
}

// AuthScheme returns what follows scheme in an Authorization header value
// when the scheme matches (case-insensitively).
func AuthScheme(h, scheme string) (string, bool) {
	if len(h) < len(scheme) || !strings.EqualFold(h[:len(scheme)], scheme) {
		return "", false
	}
	rest := h[len(scheme):]
	if rest != "" && rest[0] != ' ' && rest[0] != '\t' {
		return "", false
	}
	return strings.TrimLeft(rest, " \t"), true
}

// Parse collects the parameters of r as RFC 5849 §3.4.1.3.1
// lists them: the Authorization header's (realm excluded), the query's, and
// the body's when it is a single-part form. oauth_signature is set apart.
// The body is put back so handlers can read it again.
func Parse(r *http.Request) (*Message, *Problem) {
	msg := &Message{method: strings.ToUpper(r.Method), baseURL: baseStringURI(r)}
	var all []Param
	if rest, ok := AuthScheme(r.Header.Get("Authorization"), "OAuth"); ok {
		ps, err := parseAuthorizationParams(rest)
		if err != nil {
			return nil, NewProblem("parameter_rejected", "oauth_problem_advice", "malformed Authorization header")
		}
		for _, p := range ps {
			if p.Name != "realm" {
				all = append(all, p)
			}
		}
	}
	q, err := ParseFormPairs(r.URL.RawQuery)
	if err != nil {
		return nil, NewProblem("parameter_rejected", "oauth_problem_advice", "malformed query string")
	}
	all = append(all, q...)
	if isFormBody(r) && r.Body != nil {
		b, err := io.ReadAll(io.LimitReader(r.Body, maxFormBody+1))
		if err != nil || len(b) > maxFormBody {
			return nil, NewProblem("parameter_rejected", "oauth_problem_advice", "unreadable or oversized form body")
		}
		r.Body = io.NopCloser(bytes.NewReader(b))
		f, err := ParseFormPairs(string(b))
		if err != nil {
			return nil, NewProblem("parameter_rejected", "oauth_problem_advice", "malformed form body")
		}
		all = append(all, f...)
	}
	seen := map[string]bool{}
	for _, p := range all {
		if strings.HasPrefix(p.Name, "oauth_") {
			// RFC 5849 §3.1: protocol parameters appear once, in one place.
			if seen[p.Name] {
				return nil, NewProblem("parameter_rejected", "oauth_parameters_rejected", p.Name)
			}
			seen[p.Name] = true
		}
		if p.Name == "oauth_signature" {
			msg.signature, msg.hasSig = p.Value, true
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

// ParseFormPairs decodes an application/x-www-form-urlencoded string ('+'
// is a space) keeping order and duplicates. "a" and "a=" both give a="".
func ParseFormPairs(s string) ([]Param, error) {
	var out []Param
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
		out = append(out, Param{name, value})
	}
	return out, nil
}

var errMalformedAuth = errors.New("malformed OAuth Authorization header")

// parseAuthorizationParams parses the comma-separated name="value" list of
// an OAuth Authorization header (RFC 5849 §3.5.1); names and values are
// percent-decoded ('+' stays a plus).
func parseAuthorizationParams(s string) ([]Param, error) {
	var out []Param
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
		out = append(out, Param{name, value})
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
	return scheme + "://" + NormalizeHost(scheme, r.Host) + r.URL.EscapedPath()
}

// NormalizeHost lowercases host and drops the scheme's default port.
func NormalizeHost(scheme, host string) string {
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

// PercentEncode is RFC 5849 §3.6: every byte outside RFC 3986's unreserved
// set becomes %XX with uppercase hex.
func PercentEncode(s string) string {
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
func normalizedParams(params []Param) string {
	enc := make([]Param, len(params))
	for i, p := range params {
		enc[i] = Param{PercentEncode(p.Name), PercentEncode(p.Value)}
	}
	sort.Slice(enc, func(i, j int) bool {
		if enc[i].Name != enc[j].Name {
			return enc[i].Name < enc[j].Name
		}
		return enc[i].Value < enc[j].Value
	})
	parts := make([]string, len(enc))
	for i, p := range enc {
		parts[i] = p.Name + "=" + p.Value
	}
	return strings.Join(parts, "&")
}

// BaseString is RFC 5849 §3.4.1.1.
func (m *Message) BaseString() string {
	return m.method + "&" + PercentEncode(m.baseURL) + "&" + PercentEncode(normalizedParams(m.params))
}

// VerifyRSASHA1 checks an RFC 5849 §3.4.3 signature (base64 PKCS#1 v1.5
// over SHA-1 of the base string).
func VerifyRSASHA1(pub *rsa.PublicKey, baseString, signature string) error {
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

// ParseRSAPublicKey accepts what an application link's "public key" field
// may hold: a PEM "PUBLIC KEY" (PKIX), "RSA PUBLIC KEY" (PKCS#1) or
// "CERTIFICATE", or the bare base64 DER Atlassian's UI shows.
func ParseRSAPublicKey(s string) (*rsa.PublicKey, error) {
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
