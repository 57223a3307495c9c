package main

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// o1Signer signs 2-legged OAuth 1.0a requests with RSA-SHA1 (RFC 5849
// §3.4.1, §3.4.3): an empty oauth_token, the link's execute-as user.
type o1Signer struct {
	consumer string
	key      *rsa.PrivateKey
}

func newO1Signer(consumer, keyPEM string) (*o1Signer, error) {
	b, _ := pem.Decode([]byte(keyPEM))
	if b == nil {
		return nil, errors.New("oauth 1 key: no PEM block")
	}
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		return nil, errors.New("oauth 1 key: " + err.Error())
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("oauth 1 key: not RSA")
	}
	return &o1Signer{consumer: consumer, key: rk}, nil
}

// authorization is the Authorization header for GET rawURL at time now.
func (s *o1Signer) authorization(rawURL string, now time.Time) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, 12)
	rand.Read(nonce)
	proto := [][2]string{
		{"oauth_consumer_key", s.consumer},
		{"oauth_nonce", hex.EncodeToString(nonce)},
		{"oauth_signature_method", "RSA-SHA1"},
		{"oauth_timestamp", strconv.FormatInt(now.Unix(), 10)},
		{"oauth_token", ""},
		{"oauth_version", "1.0"},
	}
	var params []string
	for _, p := range proto {
		params = append(params, enc(p[0])+"="+enc(p[1]))
	}
	for k, vs := range u.Query() {
		for _, v := range vs {
			params = append(params, enc(k)+"="+enc(v))
		}
	}
	sort.Strings(params)
	base := "GET&" + enc(u.Scheme+"://"+strings.ToLower(u.Host)+u.EscapedPath()) + "&" + enc(strings.Join(params, "&"))
	sum := sha1.Sum([]byte(base))
	sig, err := rsa.SignPKCS1v15(nil, s.key, crypto.SHA1, sum[:])
	if err != nil {
		return "", err
	}
	parts := []string{}
	for _, p := range append(proto, [2]string{"oauth_signature", base64.StdEncoding.EncodeToString(sig)}) {
		parts = append(parts, enc(p[0])+`="`+enc(p[1])+`"`)
	}
	return "OAuth " + strings.Join(parts, ", "), nil
}

// enc is RFC 5849 §3.6 percent-encoding.
func enc(s string) string {
	var b strings.Builder
	for i := range len(s) {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteString("%" + strings.ToUpper(hex.EncodeToString([]byte{c})))
	}
	return b.String()
}
