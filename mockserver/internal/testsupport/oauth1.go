package testsupport

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/testkeys"
)

// An OAuth 1 client for the tests, written from RFC 5849 apart from the
// code under test (mockserver/internal/oauth1sp).

// MustPrivateKey parses a PEM RSA private key (PKCS#1 or PKCS#8).
func MustPrivateKey(t testing.TB, s string) *rsa.PrivateKey {
	t.Helper()
	block, _ := pem.Decode([]byte(s))
	if block == nil {
		t.Fatal("no PEM block")
	}
	if block.Type == "RSA PRIVATE KEY" {
		k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return k.(*rsa.PrivateKey)
}

// Signer is an OAuth 1 RSA-SHA1 signer written from RFC 5849 for these
// tests, sharing no code with the mock or dghubble.
type Signer struct {
	Key      *rsa.PrivateKey
	Consumer string
}

// Encode is RFC 3986 percent-encoding by way of url.QueryEscape.
func Encode(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

// KV is one parameter, unencoded: name and value.
type KV [2]string

// Sign returns oauth_signature for the request described.
func (s Signer) Sign(method, baseURL string, params []KV) string {
	enc := make([]KV, len(params))
	for i, p := range params {
		enc[i] = KV{Encode(p[0]), Encode(p[1])}
	}
	slices.SortFunc(enc, func(a, b KV) int {
		if c := strings.Compare(a[0], b[0]); c != 0 {
			return c
		}
		return strings.Compare(a[1], b[1])
	})
	var sb strings.Builder
	for i, p := range enc {
		if i > 0 {
			sb.WriteString("&")
		}
		sb.WriteString(p[0] + "=" + p[1])
	}
	base := strings.Join([]string{strings.ToUpper(method), Encode(baseURL), Encode(sb.String())}, "&")
	h := sha1.Sum([]byte(base))
	sig, err := rsa.SignPKCS1v15(rand.Reader, s.Key, crypto.SHA1, h[:])
	if err != nil {
		panic(err)
	}
	return base64.StdEncoding.EncodeToString(sig)
}

// O1Req builds an OAuth 1 request (in the Authorization header) signed with Signer, every protocol
// parameter under the test's control.
type O1Req struct {
	Key      string // private key PEM; "" = the built-in test link's
	Consumer string // "" = the built-in test link's consumer key
	Token    *string
	TS       time.Time // zero = now
	Nonce    string    // "" = random
	Method   string    // signature method; "" = RSA-SHA1
	Version  string    // "" = 1.0; "-" = omitted
	Extra    []KV      // more protocol parameters (oauth_callback, oauth_verifier, ...)
	Omit     string    // a protocol parameter to leave out
}

// Build returns the signed request.
func (o O1Req) Build(t testing.TB, httpMethod, rawURL string) *http.Request {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	keyPEM := o.Key
	if keyPEM == "" {
		keyPEM = testkeys.LinkPrivateKeyPEM
	}
	consumer := o.Consumer
	if consumer == "" {
		consumer = "bbcred-test-link"
	}
	ts := o.TS
	if ts.IsZero() {
		ts = time.Now()
	}
	nonce := o.Nonce
	if nonce == "" {
		nonce = RandomAlnum(16)
	}
	method := o.Method
	if method == "" {
		method = "RSA-SHA1"
	}
	proto := []KV{
		{"oauth_consumer_key", consumer},
		{"oauth_signature_method", method},
		{"oauth_timestamp", strconv.FormatInt(ts.Unix(), 10)},
		{"oauth_nonce", nonce},
	}
	switch o.Version {
	case "":
		proto = append(proto, KV{"oauth_version", "1.0"})
	case "-":
	default:
		proto = append(proto, KV{"oauth_version", o.Version})
	}
	if o.Token != nil {
		proto = append(proto, KV{"oauth_token", *o.Token})
	}
	proto = append(proto, o.Extra...)
	var kept []KV
	for _, p := range proto {
		if p[0] != o.Omit {
			kept = append(kept, p)
		}
	}
	all := append([]KV{}, kept...)
	for k, vs := range u.Query() {
		for _, v := range vs {
			all = append(all, KV{k, v})
		}
	}
	s := Signer{Key: MustPrivateKey(t, keyPEM)}
	sig := s.Sign(httpMethod, u.Scheme+"://"+strings.ToLower(u.Host)+u.EscapedPath(), all)
	if o.Omit != "oauth_signature" {
		kept = append(kept, KV{"oauth_signature", sig})
	}
	parts := []string{}
	for _, p := range kept {
		parts = append(parts, Encode(p[0])+`="`+Encode(p[1])+`"`)
	}
	req, err := http.NewRequest(httpMethod, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "OAuth "+strings.Join(parts, ", "))
	return req
}

// RandomAlnum is n random characters from [0-9A-Za-z].
func RandomAlnum(n int) string {
	const alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	b := make([]byte, n)
	rand.Read(b)
	for i := range b {
		b[i] = alnum[int(b[i])%len(alnum)]
	}
	return string(b)
}
