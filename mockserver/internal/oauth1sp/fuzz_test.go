package oauth1sp

import (
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/testkeys"
	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/testsupport"
)

// fzEncode is RFC 5849 §3.6 percent-encoding written for these fuzz
// tests: unreserved bytes as they are, every other byte %XX (uppercase).
func fzEncode(s string) string {
	const hex = "0123456789ABCDEF"
	out := make([]byte, 0, len(s)*3)
	for _, c := range []byte(s) {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '.', c == '_', c == '~':
			out = append(out, c)
		default:
			out = append(out, '%', hex[c>>4], hex[c&15])
		}
	}
	return string(out)
}

// fzBaseString is RFC 5849 §3.4.1 computed independently of the mock.
func fzBaseString(method, baseURL string, params []Param) string {
	pairs := make([]string, len(params))
	for i, p := range params {
		pairs[i] = fzEncode(p.Name) + "=" + fzEncode(p.Value)
	}
	// Sorting "name=value" strings is not the RFC's order when one name
	// is a prefix of another; sort on the encoded (name, value) instead.
	slices.SortFunc(pairs, func(a, b string) int {
		an, av, _ := strings.Cut(a, "=")
		bn, bv, _ := strings.Cut(b, "=")
		if c := strings.Compare(an, bn); c != 0 {
			return c
		}
		return strings.Compare(av, bv)
	})
	return method + "&" + fzEncode(baseURL) + "&" + fzEncode(strings.Join(pairs, "&"))
}

// FuzzOAuth1Placement: protocol parameters encoded by fzEncode and spread
// over the Authorization header, the query and a form body, in any order,
// parse back to the same set, and the signature base string does not
// depend on where they were or in which order: it equals an independent
// RFC 5849 computation.
func FuzzOAuth1Placement(f *testing.F) {
	f.Add("k", "n+o/n=ce", "tok", "a", "1", "b", "x y", uint64(0), uint64(0))
	f.Add("consumer é", "\x00\xff", "", "a", "", "a", "=&%", uint64(1), uint64(0x2aa))
	f.Add("k", "nonce", "t", "realm", "in query", "c@", "", uint64(7), uint64(0x155))
	f.Fuzz(func(t *testing.T, consumer, nonce, token, n1, v1, n2, v2 string, seed, where uint64) {
		proto := []Param{
			{"oauth_consumer_key", consumer},
			{"oauth_signature_method", "RSA-SHA1"},
			{"oauth_timestamp", "137131201"},
			{"oauth_nonce", nonce},
			{"oauth_token", token},
			{"oauth_version", "1.0"},
		}
		sig := Param{"oauth_signature", "c2ln+/=" + nonce}
		var request []Param // the request's own parameters: query or body
		for _, p := range []Param{{n1, v1}, {n2, v2}} {
			if p.Name != "" && !strings.HasPrefix(p.Name, "oauth_") {
				request = append(request, p)
			}
		}
		want := fzBaseString("POST", "http://example.com:8080/bitbucket/a%20b/c~d", append(slices.Clone(proto), request...))

		build := func(seed, where uint64) *http.Request {
			rng := rand.New(rand.NewPCG(seed, seed>>7))
			all := append(slices.Clone(proto), sig)
			rng.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
			var header, query, form []string
			header = append(header, `realm="`+fzEncode("http://example.com/"+nonce)+`"`)
			for i, p := range all {
				switch (where >> (2 * i)) % 3 {
				case 0:
					header = append(header, fzEncode(p.Name)+`="`+fzEncode(p.Value)+`"`)
				case 1:
					query = append(query, fzEncode(p.Name)+"="+fzEncode(p.Value))
				default:
					form = append(form, fzEncode(p.Name)+"="+fzEncode(p.Value))
				}
			}
			for i, p := range request {
				if (where>>(20+i))&1 == 0 {
					query = append(query, fzEncode(p.Name)+"="+fzEncode(p.Value))
				} else {
					form = append(form, fzEncode(p.Name)+"="+fzEncode(p.Value))
				}
			}
			rng.Shuffle(len(header)-1, func(i, j int) { header[i+1], header[j+1] = header[j+1], header[i+1] })
			rng.Shuffle(len(query), func(i, j int) { query[i], query[j] = query[j], query[i] })
			rng.Shuffle(len(form), func(i, j int) { form[i], form[j] = form[j], form[i] })
			r := httptest.NewRequest("POST", "http://example.com:8080/bitbucket/a%20b/c~d", strings.NewReader(strings.Join(form, "&")))
			r.Host = "EXAMPLE.com:8080"
			r.URL.RawQuery = strings.Join(query, "&")
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
			r.Header.Set("Authorization", "OAuth "+strings.Join(header, ", "))
			return r
		}
		for _, pl := range []struct{ seed, where uint64 }{{seed, where}, {seed + 1, where / 3}, {0, 0}} {
			r := build(pl.seed, pl.where)
			msg, p := Parse(r)
			if p != nil {
				t.Fatalf("parse (Authorization %q, query %q): %v", r.Header.Get("Authorization"), r.URL.RawQuery, p.Params())
			}
			for _, pp := range append(slices.Clone(proto), sig) {
				if got, ok := msg.Get(pp.Name); !ok || got != pp.Value {
					t.Fatalf("%s = %q (present %v), want %q", pp.Name, got, ok, pp.Value)
				}
			}
			if got := msg.BaseString(); got != want {
				t.Fatalf("base string differs (placement %d/%d):\n got %q\nwant %q", pl.seed, pl.where, got, want)
			}
		}

		// The header alone round-trips through parseAuthorizationParams.
		var parts []string
		for _, p := range proto {
			parts = append(parts, fzEncode(p.Name)+`="`+fzEncode(p.Value)+`"`)
		}
		got, err := parseAuthorizationParams(strings.Join(parts, ",\t"))
		if err != nil {
			t.Fatalf("parse header: %v", err)
		}
		if diff := cmp.Diff(proto, got, cmp.AllowUnexported(Param{})); diff != "" {
			t.Fatalf("header round trip (-want +got):\n%s", diff)
		}
	})
}

// FuzzOAuth1Request: any Authorization header, query and body: no panic;
// when the request parses, protocol parameters are single, the signature
// is set apart, the body can be read again, the base string has exactly
// its three encoded parts, and an arbitrary signature never verifies.
func FuzzOAuth1Request(f *testing.F) {
	f.Add(`OAuth realm="x", oauth_consumer_key="k", oauth_signature="a%2Bb"`, "a=1&oauth_nonce=2", "c=3", "application/x-www-form-urlencoded")
	f.Add(`oauth oauth_signature="1",oauth_signature="2"`, "", "", "")
	f.Add("OAuth a=\"\x00\xff%zz\"", "%", "oauth_token=&oauth_token", "application/x-www-form-urlencoded; charset=ISO-8859-1")
	f.Add(`OAuth   ,,, a=b ,c="d"`, "realm=q&realm=q", "x", "multipart/form-data; boundary=x")
	pub := &testsupport.MustPrivateKey(f, testkeys.LinkPrivateKeyPEM).PublicKey
	f.Fuzz(func(t *testing.T, authz, rawQuery, body, ctype string) {
		r := httptest.NewRequest("POST", "http://example.com/bitbucket/x", strings.NewReader(body))
		r.URL.RawQuery = rawQuery
		r.Header["Authorization"] = []string{authz} // no header validation: the parser sees anything
		if ctype != "" {
			r.Header["Content-Type"] = []string{ctype}
		}
		_ = IsRequest(r)
		msg, p := Parse(r)
		if p != nil {
			if p.problem != "parameter_rejected" || p.Status() != http.StatusBadRequest {
				t.Fatalf("problem %v", p.Params())
			}
			return
		}
		seen := map[string]bool{}
		for _, pp := range msg.params {
			if pp.Name == "oauth_signature" {
				t.Fatalf("oauth_signature among the signed parameters")
			}
			if strings.HasPrefix(pp.Name, "oauth_") {
				if seen[pp.Name] {
					t.Fatalf("%s twice", pp.Name)
				}
				seen[pp.Name] = true
			}
		}
		if isFormBody(r) {
			if b, _ := io.ReadAll(r.Body); string(b) != body {
				t.Fatalf("body after parse = %q, want %q", b, body)
			}
		}
		base := msg.BaseString()
		if strings.Count(base, "&") != 2 || strings.Trim(base, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~%&") != "" {
			t.Fatalf("base string %q", base)
		}
		if err := VerifyRSASHA1(pub, base, msg.signature); err == nil {
			t.Fatalf("signature %q verifies over %q", msg.signature, base)
		}
	})
}
