package datacenter

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/dghubble/oauth1"
)

// signer adds RFC 5849 Authorization headers signed with RSA-SHA1 through
// dghubble/oauth1's RSASigner.
//
// It builds the protocol parameters itself instead of using oauth1.Config
// and oauth1.Transport because those read time.Now with no hook: the
// timestamp has to come from Env.Now (tests move the helper's clock with
// the mock's), and requests need a context. The header and base string are
// byte-for-byte those of dghubble/oauth1 (sign_test.go checks it), with
// oauth_token always present, empty for 2-legged requests (docs/bitbucket-behaviour.md#dc-oauth1-wire).
//
// A signer is safe for concurrent use: the nonce and timestamp are made
// per request and nothing is written to shared state. (dghubble's Config,
// by contrast, stores a default Noncer into itself on first use; any
// oauth1.Config built here must set Noncer, see sign_concurrent_test.go.)
type signer struct {
	consumerKey string
	rsa         *oauth1.RSASigner
	now         func() time.Time
	nonce       func() string // nil: 16 random bytes, hex
}

// sign sets the Authorization header of req. extra holds the
// leg-specific oauth_* parameters (oauth_token, oauth_callback,
// oauth_verifier); a key mapped to "" is sent empty, not dropped.
func (s *signer) sign(req *http.Request, extra map[string]string) error {
	params := map[string]string{
		"oauth_consumer_key":     s.consumerKey,
		"oauth_signature_method": s.rsa.Name(),
		"oauth_timestamp":        strconv.FormatInt(s.now().Unix(), 10),
		"oauth_nonce":            s.newNonce(),
		"oauth_version":          "1.0",
	}
	for k, v := range extra {
		params[k] = v
	}
	base, err := signatureBase(req, params)
	if err != nil {
		return err
	}
	sig, err := s.rsa.Sign("", base)
	if err != nil {
		return err
	}
	params["oauth_signature"] = sig
	req.Header.Set("Authorization", authHeader(params))
	return nil
}

func (s *signer) newNonce() string {
	if s.nonce != nil {
		return s.nonce()
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// signatureBase is RFC 5849 §3.4.1: METHOD&base-URI&normalised-parameters,
// with query parameters and a form body (only when Content-Type is exactly
// application/x-www-form-urlencoded) included.
func signatureBase(req *http.Request, oauthParams map[string]string) (string, error) {
	type kv struct{ k, v string }
	var all []kv
	for k, vs := range req.URL.Query() {
		for _, v := range vs {
			all = append(all, kv{oauth1.PercentEncode(k), oauth1.PercentEncode(v)})
		}
	}
	if req.Body != nil && req.Header.Get("Content-Type") == "application/x-www-form-urlencoded" {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return "", err
		}
		req.Body = io.NopCloser(bytes.NewReader(b))
		form, err := url.ParseQuery(string(b))
		if err != nil {
			return "", err
		}
		for k, vs := range form {
			for _, v := range vs {
				all = append(all, kv{oauth1.PercentEncode(k), oauth1.PercentEncode(v)})
			}
		}
	}
	for k, v := range oauthParams {
		all = append(all, kv{oauth1.PercentEncode(k), oauth1.PercentEncode(v)})
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].k != all[j].k {
			return all[i].k < all[j].k
		}
		return all[i].v < all[j].v
	})
	pairs := make([]string, len(all))
	for i, p := range all {
		pairs[i] = p.k + "=" + p.v
	}
	return strings.ToUpper(req.Method) + "&" + oauth1.PercentEncode(baseURI(req.URL)) + "&" +
		oauth1.PercentEncode(strings.Join(pairs, "&")), nil
}

// baseURI is RFC 5849 §3.4.1.2: lower-case scheme and host, the default
// port of the scheme dropped, the escaped path, no query.
func baseURI(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Host)
	if p := u.Port(); (scheme == "http" && p == "80") || (scheme == "https" && p == "443") {
		host = strings.TrimSuffix(host, ":"+p)
	}
	return scheme + "://" + host + u.EscapedPath()
}

// authHeader is RFC 5849 §3.5.1, keys sorted like dghubble/oauth1.
func authHeader(params map[string]string) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	pairs := make([]string, len(keys))
	for i, k := range keys {
		pairs[i] = oauth1.PercentEncode(k) + `="` + oauth1.PercentEncode(params[k]) + `"`
	}
	return "OAuth " + strings.Join(pairs, ", ")
}
