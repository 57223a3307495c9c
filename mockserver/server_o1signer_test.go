package mockserver

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// An OAuth 1 client for the tests, written from RFC 5849 apart from the
// code under test.

func mustPrivateKey(t testing.TB, s string) *rsa.PrivateKey {
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

// rfcSigner is an OAuth 1 RSA-SHA1 signer written from RFC 5849 for these
// tests, sharing no code with the mock or dghubble.
type rfcSigner struct {
	key      *rsa.PrivateKey
	consumer string
}

// rfcEncode is RFC 3986 percent-encoding by way of url.QueryEscape.
func rfcEncode(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

type kv struct{ k, v string }

// sign returns oauth_signature for the request described.
func (s rfcSigner) sign(method, baseURL string, params []kv) string {
	enc := make([]kv, len(params))
	for i, p := range params {
		enc[i] = kv{rfcEncode(p.k), rfcEncode(p.v)}
	}
	slices.SortFunc(enc, func(a, b kv) int {
		if c := strings.Compare(a.k, b.k); c != 0 {
			return c
		}
		return strings.Compare(a.v, b.v)
	})
	var sb strings.Builder
	for i, p := range enc {
		if i > 0 {
			sb.WriteString("&")
		}
		sb.WriteString(p.k + "=" + p.v)
	}
	base := strings.Join([]string{strings.ToUpper(method), rfcEncode(baseURL), rfcEncode(sb.String())}, "&")
	h := sha1.Sum([]byte(base))
	sig, err := rsa.SignPKCS1v15(rand.Reader, s.key, crypto.SHA1, h[:])
	if err != nil {
		panic(err)
	}
	return base64.StdEncoding.EncodeToString(sig)
}
