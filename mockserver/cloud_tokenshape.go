package mockserver

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"strings"
	"time"
)

// newJWTShapedToken is an era-2026 access token: three dot-separated
// base64url parts like a JWT, about 2,000 to 2,700 characters (facts A0,
// OBS: "about 1,900 to 2,600+ characters, with dots"). The claims are
// plausible but nothing verifies them: the mock looks tokens up by value,
// and clients must treat them as opaque. The signature part is random bytes
// (no key; the claim names and the alg are our choice, UNCONFIRMED).
// long_tokens consumers get the top of the range (over 2,500).
func newJWTShapedToken(client, user string, scopes []string, iat, exp time.Time, long bool) string {
	header := `{"alg":"RS256","typ":"JWT","kid":"bitbucket-mock"}`
	target := 2000 + randomInt(590) // 2,000 .. about 2,600 characters
	if long {
		target = 2600 + randomInt(90) // 2,600 .. about 2,700
	}
	claims := map[string]any{
		"iss": "https://bitbucket.org", "aud": "api.bitbucket.org", "sub": user, "client_id": client,
		"scope": strings.Join(scopes, " "), "iat": iat.Unix(), "exp": exp.Unix(), "jti": randomURLSafe(18),
		"ctx": "", // padding, below
	}
	enc := base64.RawURLEncoding
	sig := make([]byte, 256) // an RS256 signature: 342 characters
	rand.Read(sig)           // never fails (crypto/rand)
	build := func() string {
		body, _ := json.Marshal(claims) // strings and numbers: never fails
		return enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString(body) + "." + enc.EncodeToString(sig)
	}
	// Pad with an opaque claim until the whole token reaches target.
	pad := ""
	for tok := build(); ; tok = build() {
		if len(tok) >= target {
			return tok
		}
		d := target - len(tok) // each pad character adds 4/3 token characters
		pad += randomURLSafe(d)[:d*3/4+1]
		claims["ctx"] = pad
	}
}

// randomInt is uniform in [0, n).
func randomInt(n int) int {
	v, _ := rand.Int(rand.Reader, big.NewInt(int64(n))) // never fails (crypto/rand)
	return int(v.Int64())
}
