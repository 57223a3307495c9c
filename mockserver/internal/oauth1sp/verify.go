// Package oauth1sp is the OAuth 1.0a service provider's side of a signed
// request (RFC 5849), as Atlassian's application links check it: the
// message taken apart from header, query and form body, parameter
// normalisation and the signature base string (§3.4.1), RSA-SHA1
// verification (§3.4.3), the timestamp window and nonce replay (§3.3), and
// net.oauth's oauth_problem answers. It holds no state: the caller keeps
// the consumers, tokens and nonces.
package oauth1sp

import (
	"crypto/rsa"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// required are the parameters every signed request carries.
var required = []string{"oauth_consumer_key", "oauth_signature_method", "oauth_signature", "oauth_timestamp", "oauth_nonce"}

// Checker runs the checks every signed request passes.
type Checker struct {
	Now    func() time.Time // the provider's clock
	Window time.Duration    // oauth_timestamp may be this far from Now either way
	// Consumer returns the public key of a consumer key; nil = unknown.
	Consumer func(key string) *rsa.PublicKey
	// SeenNonce records consumer&timestamp&nonce (with its timestamp, for
	// the caller's sweep) and reports whether it was recorded before.
	SeenNonce func(key string, ts int64) bool
}

// Verify checks r in the order net.oauth's servlets and
// SimpleOAuthValidator do: parameters present (the required ones and
// extra), consumer known, token (through lookup, may be nil), version,
// timestamp, nonce, signature method, signature. The message is returned
// whenever it parsed, for the caller's log.
func (c Checker) Verify(r *http.Request, extra []string, lookup func(*Message) *Problem) (*Message, *Problem) {
	msg, p := Parse(r)
	if p != nil {
		return nil, p
	}
	var absent []string
	for _, name := range append(append([]string{}, required...), extra...) {
		if _, ok := msg.Get(name); !ok {
			absent = append(absent, name)
		}
	}
	if len(absent) > 0 {
		// net.oauth joins the names with '&' (OAuth.percentEncode of a list).
		return msg, NewProblem("parameter_absent", "oauth_parameters_absent", strings.Join(absent, "&"))
	}
	pub := c.Consumer(msg.Value("oauth_consumer_key"))
	if pub == nil {
		return msg, NewProblem("consumer_key_unknown")
	}
	if lookup != nil {
		if p := lookup(msg); p != nil {
			return msg, p
		}
	}
	if v, ok := msg.Get("oauth_version"); ok && v != "1.0" {
		return msg, NewProblem("version_rejected", "oauth_acceptable_versions", "1.0-1.0")
	}
	if p := c.checkTimestampAndNonce(msg); p != nil {
		return msg, p
	}
	if msg.Value("oauth_signature_method") != "RSA-SHA1" {
		return msg, NewProblem("signature_method_rejected", "oauth_problem_advice", "application links accept RSA-SHA1 only")
	}
	if err := VerifyRSASHA1(pub, msg.BaseString(), msg.signature); err != nil {
		// net.oauth would add oauth_signature_base_string; it carries the
		// token, so the advice says where to look instead.
		return msg, NewProblem("signature_invalid", "oauth_problem_advice",
			"the signature does not verify with the application link's public key: check the base URL (scheme, host, port, context path), the method and the parameters")
	}
	return msg, nil
}

// checkTimestampAndNonce enforces the ±Window timestamp window on the
// provider's clock and refuses a consumer+timestamp+nonce seen before.
func (c Checker) checkTimestampAndNonce(msg *Message) *Problem {
	ts, err := strconv.ParseInt(msg.Value("oauth_timestamp"), 10, 64)
	if err != nil {
		return NewProblem("parameter_rejected", "oauth_parameters_rejected", "oauth_timestamp")
	}
	now := c.Now()
	lo, hi := now.Add(-c.Window).Unix(), now.Add(c.Window).Unix()
	if ts < lo || ts > hi {
		return NewProblem("timestamp_refused", "oauth_acceptable_timestamps", strconv.FormatInt(lo, 10)+"-"+strconv.FormatInt(hi, 10))
	}
	key := msg.Value("oauth_consumer_key") + "&" + strconv.FormatInt(ts, 10) + "&" + msg.Value("oauth_nonce")
	if c.SeenNonce(key, ts) {
		return NewProblem("nonce_used")
	}
	return nil
}

// WriteForm answers a token leg: text/plain, OAuth form encoding (docs/bitbucket-behaviour.md#dc-oauth1-wire).
func WriteForm(w http.ResponseWriter, params []Param) {
	w.Header().Set("Content-Type", "text/plain;charset=UTF-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(EncodeForm(params)))
}
