package datacenter

import (
	"testing"

	"github.com/dghubble/oauth1"
)

// FuzzParseOAuthChallenge: parsing never panics, and a challenge built
// from values the RFC 5849 §3.5.1 way gives those values back.
func FuzzParseOAuthChallenge(f *testing.F) {
	f.Add("http://localhost:7990", "signature_invalid", "bad sig, \"quoted\" + plus")
	f.Add("", "timestamp_refused", "")
	f.Add("%41", "x=y", "a\x00b")
	f.Fuzz(func(t *testing.T, realm, problem, advice string) {
		_ = parseOAuthChallenge(realm)
		_ = parseOAuthChallenge("OAuth " + problem + advice)
		h := `OAuth realm="` + oauth1.PercentEncode(realm) + `", oauth_problem="` + oauth1.PercentEncode(problem) +
			`", oauth_problem_advice="` + oauth1.PercentEncode(advice) + `"`
		got := parseOAuthChallenge(h)
		if got.Get("realm") != realm || got.Get("oauth_problem") != problem || got.Get("oauth_problem_advice") != advice {
			t.Errorf("parse(%q) = %v", h, got)
		}
	})
}
