package cloud

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"strings"
	"time"
)

// newJWTShapedToken is an era-2026 access token: three dot-separated
// base64url parts like a JWT, about 2,000 to 2,700 characters (docs/bitbucket-behaviour.md#cloud-2026,
// OBS: "about 1,900 to 2,600+ characters, with dots"). The claims are
// plausible but nothing verifies them: the mock looks tokens up by value,
// and clients must treat them as opaque. The signature part is random bytes
// (no key; the claim names and the alg are our choice, UNCONFIRMED).
// long_tokens consumers get the top of the range (over 2,500).
func newJWTShapedToken(client, user string, scopes []string, iat, exp time.Time, long bool) string {
	target := 2000 + randomInt(590) // 2,000 .. about 2,600 characters
	if long {
		target = 2600 + randomInt(90) // 2,600 .. about 2,700
	}
	// One marshal and one random read (issue 15: this runs on every
	// token request): the padding claim comes last, so it is spliced in.
	claims := struct {
		Iss      string `json:"iss"`
		Aud      string `json:"aud"`
		Sub      string `json:"sub"`
		ClientID string `json:"client_id"`
		Scope    string `json:"scope"`
		Iat      int64  `json:"iat"`
		Exp      int64  `json:"exp"`
		Jti      string `json:"jti"`
		Ctx      string `json:"ctx"` // padding, below
	}{"https://bitbucket.org", "api.bitbucket.org", user, client, strings.Join(scopes, " "), iat.Unix(), exp.Unix(), randomURLSafe(18), ""}
	body, _ := json.Marshal(claims) // strings and numbers: never fails
	enc := base64.RawURLEncoding
	const header = `{"alg":"RS256","typ":"JWT","kid":"bitbucket-mock"}`
	fixed := enc.EncodedLen(len(header)) + 1 + 1 + enc.EncodedLen(256) // an RS256 signature: 342 characters
	// The claims part must reach target-fixed characters: 4 per 3 bytes.
	padLen := max(((target-fixed)*3+3)/4-len(body), 0)
	random := make([]byte, 256+padLen)
	rand.Read(random) // never fails (crypto/rand)
	// The padding is URL-safe base64: nothing to escape in JSON.
	n := len(body) - 2 + padLen
	body = enc.AppendEncode(body[:len(body)-2], random[256:])[:n]
	body = append(body, `"}`...)
	out := make([]byte, 0, fixed+enc.EncodedLen(len(body)))
	out = enc.AppendEncode(out, []byte(header))
	out = enc.AppendEncode(append(out, '.'), body)
	out = enc.AppendEncode(append(out, '.'), random[:256])
	return string(out)
}

// randomInt is uniform in [0, n).
func randomInt(n int) int {
	v, _ := rand.Int(rand.Reader, big.NewInt(int64(n))) // never fails (crypto/rand)
	return int(v.Int64())
}
