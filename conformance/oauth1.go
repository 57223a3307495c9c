package conformance

import (
	"bytes"
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The suite signs OAuth 1.0a requests with its own RFC 5849 signer, separate
// from the helper's and the mock's, so it can put the parameters anywhere
// the RFC allows and break one thing at a time.

// placement is where the oauth_* parameters travel (RFC 5849 §3.5).
type placement int

const (
	inHeader placement = iota // Authorization: OAuth ...
	inQuery                   // URL query
	inBody                    // application/x-www-form-urlencoded body
)

// oauth1Req describes one signed request.
type oauth1Req struct {
	Method, URL string
	Form        url.Values // body parameters (POST), signed when present
	Body        []byte     // a non-form body (e.g. JSON), not signed (RFC 5849 §3.4.1.3)
	ContentType string     // of Body
	Link        *AppLink
	Token       string // access or request token; "" = none
	TwoLegged   bool   // send oauth_token="" (2LO)
	Callback    string // oauth_callback (request-token leg)
	Verifier    string // oauth_verifier (access-token leg)
	Extra       url.Values

	SigMethod   string    // default RSA-SHA1
	Timestamp   time.Time // zero: the target's now
	Nonce       string    // "": random
	Place       placement
	Omit        string // an oauth_* parameter to leave out
	BadSig      bool   // corrupt the signature
	WrongSigKey *rsa.PrivateKey
}

// percentEncode is RFC 5849 §3.6: unreserved characters stay, the rest is %XX.
func percentEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if ('A' <= c && c <= 'Z') || ('a' <= c && c <= 'z') || ('0' <= c && c <= '9') ||
			c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

// baseString is RFC 5849 §3.4.1.
func baseString(method string, u *url.URL, params [][2]string) string {
	scheme, host := strings.ToLower(u.Scheme), strings.ToLower(u.Host)
	if (scheme == "http" && strings.HasSuffix(host, ":80")) || (scheme == "https" && strings.HasSuffix(host, ":443")) {
		host = host[:strings.LastIndex(host, ":")]
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	enc := make([][2]string, len(params))
	for i, p := range params {
		enc[i] = [2]string{percentEncode(p[0]), percentEncode(p[1])}
	}
	sort.Slice(enc, func(i, j int) bool {
		if enc[i][0] != enc[j][0] {
			return enc[i][0] < enc[j][0]
		}
		return enc[i][1] < enc[j][1]
	})
	pairs := make([]string, len(enc))
	for i, p := range enc {
		pairs[i] = p[0] + "=" + p[1]
	}
	return strings.ToUpper(method) + "&" + percentEncode(scheme+"://"+host+path) + "&" + percentEncode(strings.Join(pairs, "&"))
}

func randomNonce() string {
	b := make([]byte, 16)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// build makes the signed request; now is the target's clock.
func (o oauth1Req) build(now time.Time) (*http.Request, error) {
	u, err := url.Parse(o.URL)
	if err != nil {
		return nil, fmt.Errorf("oauth1: %w", err)
	}
	ts := o.Timestamp
	if ts.IsZero() {
		ts = now
	}
	nonce := o.Nonce
	if nonce == "" {
		nonce = randomNonce()
	}
	method := o.SigMethod
	if method == "" {
		method = "RSA-SHA1"
	}
	op := [][2]string{
		{"oauth_consumer_key", o.Link.ConsumerKey},
		{"oauth_nonce", nonce},
		{"oauth_signature_method", method},
		{"oauth_timestamp", strconv.FormatInt(ts.Unix(), 10)},
		{"oauth_version", "1.0"},
	}
	if o.Token != "" || o.TwoLegged {
		op = append(op, [2]string{"oauth_token", o.Token})
	}
	if o.Callback != "" {
		op = append(op, [2]string{"oauth_callback", o.Callback})
	}
	if o.Verifier != "" {
		op = append(op, [2]string{"oauth_verifier", o.Verifier})
	}
	kept := op[:0]
	for _, p := range op {
		if p[0] != o.Omit {
			kept = append(kept, p)
		}
	}
	op = kept

	// Every parameter that is signed: query, form body, oauth_*.
	var all [][2]string
	for k, vs := range u.Query() {
		for _, v := range vs {
			all = append(all, [2]string{k, v})
		}
	}
	for k, vs := range o.Extra {
		for _, v := range vs {
			all = append(all, [2]string{k, v})
		}
	}
	for k, vs := range o.Form {
		for _, v := range vs {
			all = append(all, [2]string{k, v})
		}
	}
	all = append(all, op...)

	base := baseString(o.Method, u, all)
	sig, err := o.sign(base)
	if err != nil {
		return nil, err
	}
	if o.Omit != "oauth_signature" {
		op = append(op, [2]string{"oauth_signature", sig})
	}

	q := u.Query()
	for k, vs := range o.Extra {
		for _, v := range vs {
			q.Add(k, v)
		}
	}
	form := url.Values{}
	for k, vs := range o.Form {
		form[k] = append([]string(nil), vs...)
	}
	switch o.Place {
	case inQuery:
		for _, p := range op {
			q.Add(p[0], p[1])
		}
	case inBody:
		for _, p := range op {
			form.Add(p[0], p[1])
		}
	}
	u.RawQuery = q.Encode()
	var req *http.Request
	if o.Body != nil {
		req, err = http.NewRequest(o.Method, u.String(), bytes.NewReader(o.Body))
		if err == nil {
			req.Header.Set("Content-Type", o.ContentType)
		}
	} else if len(form) > 0 || o.Place == inBody {
		req, err = http.NewRequest(o.Method, u.String(), strings.NewReader(form.Encode()))
		if err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	} else {
		req, err = http.NewRequest(o.Method, u.String(), nil)
	}
	if err != nil {
		return nil, fmt.Errorf("oauth1: %w", err)
	}
	if o.Place == inHeader {
		parts := make([]string, 0, len(op))
		for _, p := range op {
			parts = append(parts, fmt.Sprintf(`%s="%s"`, percentEncode(p[0]), percentEncode(p[1])))
		}
		req.Header.Set("Authorization", "OAuth "+strings.Join(parts, ", "))
	}
	return req, nil
}

func (o oauth1Req) sign(base string) (string, error) {
	switch o.SigMethod {
	case "HMAC-SHA1":
		// Consumer secret unknown to RSA links: sign with an empty one.
		m := hmac.New(sha1.New, []byte("&"))
		m.Write([]byte(base))
		return base64.StdEncoding.EncodeToString(m.Sum(nil)), nil
	case "PLAINTEXT":
		return "&", nil
	}
	key := o.Link.Key
	if o.WrongSigKey != nil {
		key = o.WrongSigKey
	}
	h := sha1.Sum([]byte(base))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA1, h[:])
	if err != nil {
		return "", fmt.Errorf("oauth1: sign: %w", err)
	}
	if o.BadSig {
		sig[len(sig)/2] ^= 0x55
	}
	return base64.StdEncoding.EncodeToString(sig), nil
}
