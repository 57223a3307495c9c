package datacenter

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/dghubble/oauth1"

	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/oauth1sp"
	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/testsupport"
)

// The mock is served in-process, so requests reach the OAuth parser with
// bytes a real HTTP stack would refuse (NUL, 1 MB headers).
const (
	hBase  = "http://127.0.0.1:7990/bitbucket"
	hUsers = hBase + "/rest/api/1.0/users/alice"
)

// hProto is a complete set of 2-legged protocol parameters (oauth_token
// present and empty) at the mock's time, with a fresh nonce.
func hProto(m *testMock) []kv {
	return []kv{
		{"oauth_consumer_key", TestLinkConsumerKey},
		{"oauth_signature_method", "RSA-SHA1"},
		{"oauth_timestamp", strconv.FormatInt(m.Now().Unix(), 10)},
		{"oauth_nonce", testsupport.RandomAlnum(16)},
		{"oauth_version", "1.0"},
		{"oauth_token", ""},
	}
}

// hSet returns proto with name set to value (appended when absent).
func hSet(proto []kv, name, value string) []kv {
	out := append([]kv{}, proto...)
	for i := range out {
		if out[i][0] == name {
			out[i][1] = value
			return out
		}
	}
	return append(out, kv{name, value})
}

// hDel returns proto without name.
func hDel(proto []kv, name string) []kv {
	var out []kv
	for _, p := range proto {
		if p[0] != name {
			out = append(out, p)
		}
	}
	return out
}

// hSigned is a request to sendURL whose Authorization header carries proto
// and an RSA-SHA1 signature (rfcSigner) over method, signURL, its query,
// proto and signOnly.
func hSigned(t *testing.T, method, sendURL, signURL string, proto, signOnly []kv) *http.Request {
	t.Helper()
	u, err := url.Parse(signURL)
	if err != nil {
		t.Fatal(err)
	}
	all := append(append([]kv{}, proto...), signOnly...)
	q, err := oauth1sp.ParseFormPairs(u.RawQuery)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range q {
		all = append(all, kv{p.Name, p.Value})
	}
	s := testsupport.Signer{Key: testsupport.MustPrivateKey(t, testLinkPrivateKeyPEM)}
	sig := s.Sign(method, u.Scheme+"://"+strings.ToLower(u.Host)+u.EscapedPath(), all)
	parts := []string{`realm="` + testsupport.Encode(hBase) + `"`}
	for _, p := range append(append([]kv{}, proto...), kv{"oauth_signature", sig}) {
		parts = append(parts, testsupport.Encode(p[0])+`="`+testsupport.Encode(p[1])+`"`)
	}
	r := httptest.NewRequest(method, sendURL, nil)
	r.Header.Set("Authorization", "OAuth "+strings.Join(parts, ", "))
	return r
}

// hEditHeader rewrites the Authorization header.
func hEditHeader(r *http.Request, edit func(string) string) *http.Request {
	r.Header["Authorization"] = []string{edit(r.Header.Get("Authorization"))}
	return r
}

type hResult struct {
	status int
	header http.Header
	body   string
}

func hServe(m *testMock, r *http.Request) hResult {
	rec := httptest.NewRecorder()
	m.ServerHandler().ServeHTTP(rec, r)
	return hResult{rec.Code, rec.Header(), rec.Body.String()}
}

// check: 200 as user, or status with oauth_problem in WWW-Authenticate
// and the body (and extra in the body).
func (res hResult) check(t *testing.T, status int, problem, extra, user string) {
	t.Helper()
	if res.status != status {
		t.Fatalf("status %d (%.300s), want %d", res.status, res.body, status)
	}
	if problem == "" {
		if got := res.header.Get("X-AUSERNAME"); got != user {
			t.Errorf("X-AUSERNAME %q, want %q", got, user)
		}
		return
	}
	if h := res.header.Get("WWW-Authenticate"); !strings.Contains(h, `oauth_problem="`+problem+`"`) {
		t.Errorf("WWW-Authenticate %q, want oauth_problem %s", h, problem)
	}
	if !strings.HasPrefix(res.body, "oauth_problem="+problem) || !strings.Contains(res.body, extra) {
		t.Errorf("body %q, want oauth_problem=%s and %q", res.body, problem, extra)
	}
}

// hostileMock is the side with auto-approve (so a valid authorization
// redirects at once), served in-process.
func hostileMock(t *testing.T) *testMock {
	t.Helper()
	return newTestMock(t, testOptions{AutoApprove: true}, nil)
}

// TestHostileOAuth1Requests: signed requests taken apart, duplicated,
// re-encoded, inflated, re-targeted and tampered with. Each is refused
// with the oauth_problem net.oauth gives (or, where the bytes signed are
// the bytes received, accepted); none crashes the mock.
func TestHostileOAuth1Requests(t *testing.T) {
	t.Parallel()
	m := hostileMock(t)
	mb := 1 << 20
	tests := []struct {
		name    string
		build   func(t *testing.T) *http.Request
		status  int
		problem string
		extra   string // in the problem body
		user    string // X-AUSERNAME when accepted
	}{
		{"valid 2-legged", func(t *testing.T) *http.Request {
			return hSigned(t, "GET", hUsers, hUsers, hProto(m), nil)
		}, 200, "", "", "svc-ci"},
		{"lower-case scheme name", func(t *testing.T) *http.Request {
			return hEditHeader(hSigned(t, "GET", hUsers, hUsers, hProto(m), nil), func(h string) string { return "oauth" + h[5:] })
		}, 200, "", "", "svc-ci"},

		// Duplicates (RFC 5849 §3.1: once, in one place).
		{"oauth_signature twice in the header", func(t *testing.T) *http.Request {
			return hEditHeader(hSigned(t, "GET", hUsers, hUsers, hProto(m), nil), func(h string) string { return h + `, oauth_signature="AAAA"` })
		}, 400, "parameter_rejected", "oauth_parameters_rejected=oauth_signature", ""},
		{"oauth_signature twice, same value", func(t *testing.T) *http.Request {
			r := hSigned(t, "GET", hUsers, hUsers, hProto(m), nil)
			h := r.Header.Get("Authorization")
			return hEditHeader(r, func(string) string { return h + ", " + h[strings.Index(h, "oauth_signature="):] })
		}, 400, "parameter_rejected", "oauth_parameters_rejected=oauth_signature", ""},
		{"oauth_signature in the header and the query", func(t *testing.T) *http.Request {
			return hSigned(t, "GET", hUsers+"?oauth_signature=AAAA", hUsers, hProto(m), nil)
		}, 400, "parameter_rejected", "oauth_parameters_rejected=oauth_signature", ""},
		{"oauth_nonce in the header and the query", func(t *testing.T) *http.Request {
			return hSigned(t, "GET", hUsers+"?oauth_nonce=x", hUsers, hProto(m), nil)
		}, 400, "parameter_rejected", "oauth_parameters_rejected=oauth_nonce", ""},
		{"oauth_token in the header and a form body", func(t *testing.T) *http.Request {
			u := hBase + "/plugins/servlet/oauth/request-token"
			r := hSigned(t, "POST", u, u, hSet(hProto(m), "oauth_callback", "oob"), nil)
			r.Body = io.NopCloser(strings.NewReader("oauth_token="))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return r
		}, 400, "parameter_rejected", "oauth_parameters_rejected=oauth_token", ""},
		{"oauth_consumer_key in the header and the query, signed", func(t *testing.T) *http.Request {
			u := hUsers + "?oauth_consumer_key=" + TestLinkConsumerKey
			return hSigned(t, "GET", u, u, hProto(m), nil)
		}, 400, "parameter_rejected", "oauth_parameters_rejected=oauth_consumer_key", ""},

		// Percent-encoding: the bytes signed are the decoded values.
		{"+ for %2B in the header", func(t *testing.T) *http.Request {
			nonce := "a+b/" + testsupport.RandomAlnum(8)
			return hEditHeader(hSigned(t, "GET", hUsers, hUsers, hSet(hProto(m), "oauth_nonce", nonce), nil), func(h string) string {
				return strings.Replace(h, "a%2Bb", "a+b", 1)
			})
		}, 200, "", "", "svc-ci"},
		{"lower-case hex in the header", func(t *testing.T) *http.Request {
			nonce := "a+b/" + testsupport.RandomAlnum(8)
			return hEditHeader(hSigned(t, "GET", hUsers, hUsers, hSet(hProto(m), "oauth_nonce", nonce), nil), func(h string) string {
				return strings.Replace(h, "a%2Bb%2F", "a%2bb%2f", 1)
			})
		}, 200, "", "", "svc-ci"},
		{"+ in the query is a space", func(t *testing.T) *http.Request {
			return hSigned(t, "GET", hUsers+"?q=a+b", hUsers+"?q=a%2Bb", hProto(m), nil)
		}, 401, "signature_invalid", "oauth_problem_advice=", ""},
		{"lower-case hex in the query", func(t *testing.T) *http.Request {
			return hSigned(t, "GET", hUsers+"?q=a%2bb", hUsers+"?q=a%2Bb", hProto(m), nil)
		}, 200, "", "", "svc-ci"},
		{"non-UTF-8 query value", func(t *testing.T) *http.Request {
			return hSigned(t, "GET", hUsers+"?q=%FF%FE", hUsers+"?q=%FF%FE", hProto(m), nil)
		}, 200, "", "", "svc-ci"},
		{"non-UTF-8 query value changed", func(t *testing.T) *http.Request {
			return hSigned(t, "GET", hUsers+"?q=%FF%FD", hUsers+"?q=%FF%FE", hProto(m), nil)
		}, 401, "signature_invalid", "", ""},
		{"non-UTF-8 nonce", func(t *testing.T) *http.Request {
			return hSigned(t, "GET", hUsers, hUsers, hSet(hProto(m), "oauth_nonce", "\xff\xfe"+testsupport.RandomAlnum(8)), nil)
		}, 200, "", "", "svc-ci"},
		{"encoded NUL in the query", func(t *testing.T) *http.Request {
			return hSigned(t, "GET", hUsers+"?q=a%00b", hUsers+"?q=a%00b", hProto(m), nil)
		}, 200, "", "", "svc-ci"},
		{"NUL inserted into a signed value", func(t *testing.T) *http.Request {
			nonce := "nul" + testsupport.RandomAlnum(8)
			return hEditHeader(hSigned(t, "GET", hUsers, hUsers, hSet(hProto(m), "oauth_nonce", nonce), nil), func(h string) string {
				return strings.Replace(h, nonce, "nul\x00"+nonce[3:], 1)
			})
		}, 401, "signature_invalid", "", ""},
		{"NUL in a parameter name", func(t *testing.T) *http.Request {
			return hEditHeader(hSigned(t, "GET", hUsers, hUsers, hProto(m), nil), func(h string) string {
				return strings.Replace(h, "oauth_nonce=", "oauth_nonce%00=", 1)
			})
		}, 400, "parameter_absent", "oauth_parameters_absent=oauth_nonce", ""},
		{"bad percent-encoding", func(t *testing.T) *http.Request {
			return hEditHeader(hSigned(t, "GET", hUsers, hUsers, hProto(m), nil), func(h string) string { return h + `, x="%zz"` })
		}, 400, "parameter_rejected", "", ""},
		{"unterminated quote", func(t *testing.T) *http.Request {
			return hEditHeader(hSigned(t, "GET", hUsers, hUsers, hProto(m), nil), func(h string) string { return h + `, x="abc` })
		}, 400, "parameter_rejected", "", ""},

		// Enormous headers.
		{"1 MB unsigned parameter", func(t *testing.T) *http.Request {
			return hEditHeader(hSigned(t, "GET", hUsers, hUsers, hProto(m), nil), func(h string) string { return h + `, x="` + strings.Repeat("A", mb) + `"` })
		}, 401, "signature_invalid", "", ""},
		{"1 MB of repeated parameters", func(t *testing.T) *http.Request {
			return hEditHeader(hSigned(t, "GET", hUsers, hUsers, hProto(m), nil), func(h string) string { return h + strings.Repeat(`, a="1"`, mb/7) })
		}, 401, "signature_invalid", "", ""},
		{"1 MB of repeated oauth_nonce", func(t *testing.T) *http.Request {
			return hEditHeader(hSigned(t, "GET", hUsers, hUsers, hProto(m), nil), func(h string) string { return h + strings.Repeat(`,oauth_nonce=1`, mb/14) })
		}, 400, "parameter_rejected", "oauth_parameters_rejected=oauth_nonce", ""},
		{"1 MB unterminated value", func(t *testing.T) *http.Request {
			return hEditHeader(hSigned(t, "GET", hUsers, hUsers, hProto(m), nil), func(h string) string { return h + `, x="` + strings.Repeat("%41", mb/3) })
		}, 400, "parameter_rejected", "", ""},
		{"1 MB query", func(t *testing.T) *http.Request {
			return hSigned(t, "GET", hUsers+"?q="+strings.Repeat("b", mb), hUsers, hProto(m), nil)
		}, 401, "signature_invalid", "", ""},

		// realm is not signed when it is in the header (RFC 5849 §3.4.1.3.1).
		{"realm included in the signature", func(t *testing.T) *http.Request {
			return hSigned(t, "GET", hUsers, hUsers, hProto(m), []kv{{"realm", hBase}})
		}, 401, "signature_invalid", "", ""},
		{"realm in the query is signed", func(t *testing.T) *http.Request {
			return hSigned(t, "GET", hUsers+"?realm=x", hUsers+"?realm=x", hProto(m), nil)
		}, 200, "", "", "svc-ci"},

		// The base string URI is the one the server sees.
		{"signed for another host", func(t *testing.T) *http.Request {
			return hSigned(t, "GET", hUsers, "http://evil.example:7990/bitbucket/rest/api/1.0/users/alice", hProto(m), nil)
		}, 401, "signature_invalid", "", ""},
		{"signed for another port", func(t *testing.T) *http.Request {
			return hSigned(t, "GET", hUsers, "http://127.0.0.1:7991/bitbucket/rest/api/1.0/users/alice", hProto(m), nil)
		}, 401, "signature_invalid", "", ""},
		{"signed without the context path", func(t *testing.T) *http.Request {
			return hSigned(t, "GET", hUsers, "http://127.0.0.1:7990/rest/api/1.0/users/alice", hProto(m), nil)
		}, 401, "signature_invalid", "", ""},
		{"signed for https", func(t *testing.T) *http.Request {
			return hSigned(t, "GET", hUsers, "https://127.0.0.1:7990/bitbucket/rest/api/1.0/users/alice", hProto(m), nil)
		}, 401, "signature_invalid", "", ""},
		{"signed for another path", func(t *testing.T) *http.Request {
			return hSigned(t, "GET", hUsers, hBase+"/rest/api/1.0/users/bob", hProto(m), nil)
		}, 401, "signature_invalid", "", ""},
		{"signed for another method", func(t *testing.T) *http.Request {
			r := hSigned(t, "POST", hUsers, hUsers, hProto(m), nil)
			r.Method = "GET"
			return r
		}, 401, "signature_invalid", "", ""},
		{"default port dropped", func(t *testing.T) *http.Request {
			return hSigned(t, "GET", "http://127.0.0.1:80/bitbucket/rest/api/1.0/users/alice", "http://127.0.0.1/bitbucket/rest/api/1.0/users/alice", hProto(m), nil)
		}, 200, "", "", "svc-ci"},
		{"host case ignored", func(t *testing.T) *http.Request {
			return hSigned(t, "GET", "http://LocalHost:7990/bitbucket/rest/api/1.0/users/alice", "http://localhost:7990/bitbucket/rest/api/1.0/users/alice", hProto(m), nil)
		}, 200, "", "", "svc-ci"},

		// Signature methods: only RSA-SHA1, exactly.
		{"rsa-sha1", func(t *testing.T) *http.Request {
			return hSigned(t, "GET", hUsers, hUsers, hSet(hProto(m), "oauth_signature_method", "rsa-sha1"), nil)
		}, 400, "signature_method_rejected", "", ""},
		{"Rsa-Sha1", func(t *testing.T) *http.Request {
			return hSigned(t, "GET", hUsers, hUsers, hSet(hProto(m), "oauth_signature_method", "Rsa-Sha1"), nil)
		}, 400, "signature_method_rejected", "", ""},
		{"RSA-SHA1 with a space", func(t *testing.T) *http.Request {
			return hSigned(t, "GET", hUsers, hUsers, hSet(hProto(m), "oauth_signature_method", "RSA-SHA1 "), nil)
		}, 400, "signature_method_rejected", "", ""},
		{"HMAC-SHA1", func(t *testing.T) *http.Request {
			return hSigned(t, "GET", hUsers, hUsers, hSet(hProto(m), "oauth_signature_method", "HMAC-SHA1"), nil)
		}, 400, "signature_method_rejected", "", ""},
		{"PLAINTEXT", func(t *testing.T) *http.Request {
			return hSigned(t, "GET", hUsers, hUsers, hSet(hProto(m), "oauth_signature_method", "PLAINTEXT"), nil)
		}, 400, "signature_method_rejected", "", ""},
		{"RSA-SHA256", func(t *testing.T) *http.Request {
			return hSigned(t, "GET", hUsers, hUsers, hSet(hProto(m), "oauth_signature_method", "RSA-SHA256"), nil)
		}, 400, "signature_method_rejected", "", ""},
		{"empty signature method", func(t *testing.T) *http.Request {
			return hSigned(t, "GET", hUsers, hUsers, hSet(hProto(m), "oauth_signature_method", ""), nil)
		}, 400, "signature_method_rejected", "", ""},
		{"no signature method", func(t *testing.T) *http.Request {
			return hSigned(t, "GET", hUsers, hUsers, hDel(hProto(m), "oauth_signature_method"), nil)
		}, 400, "parameter_absent", "oauth_parameters_absent=oauth_signature_method", ""},

		// Tokens, signatures, versions.
		// Without oauth_token Atlassian does not take it for OAuth (docs/bitbucket-behaviour.md#dc-oauth1-wire,
		// S-50): anonymous, so 401 "not permitted" here, no oauth_problem (issue 11).
		{"missing oauth_token runs anonymously", func(t *testing.T) *http.Request {
			return hSigned(t, "GET", hUsers, hUsers, hDel(hProto(m), "oauth_token"), nil)
		}, 401, "", "", ""},
		{"empty signature", func(t *testing.T) *http.Request {
			return hEditHeader(hSigned(t, "GET", hUsers, hUsers, hProto(m), nil), func(h string) string {
				return h[:strings.Index(h, "oauth_signature=")] + `oauth_signature=""`
			})
		}, 401, "signature_invalid", "", ""},
		{"signature not base64", func(t *testing.T) *http.Request {
			return hEditHeader(hSigned(t, "GET", hUsers, hUsers, hProto(m), nil), func(h string) string {
				return h[:strings.Index(h, "oauth_signature=")] + `oauth_signature="%21%21%21"`
			})
		}, 401, "signature_invalid", "", ""},
		{"signature of another request", func(t *testing.T) *http.Request {
			other := hSigned(t, "GET", hUsers, hBase+"/rest/api/1.0/users/bob", hProto(m), nil).Header.Get("Authorization")
			return hEditHeader(hSigned(t, "GET", hUsers, hUsers, hProto(m), nil), func(h string) string {
				return h[:strings.Index(h, "oauth_signature=")] + other[strings.Index(other, "oauth_signature="):]
			})
		}, 401, "signature_invalid", "", ""},
		{"oauth_version 1.0a", func(t *testing.T) *http.Request {
			return hSigned(t, "GET", hUsers, hUsers, hSet(hProto(m), "oauth_version", "1.0a"), nil)
		}, 400, "version_rejected", "oauth_acceptable_versions=1.0-1.0", ""},
		{"unknown consumer", func(t *testing.T) *http.Request {
			return hSigned(t, "GET", hUsers, hUsers, hSet(hProto(m), "oauth_consumer_key", TestLinkConsumerKey+" "), nil)
		}, 401, "consumer_key_unknown", "", ""},

		// Impersonation (xoauth_requestor_id) is covered by the signature.
		{"xoauth_requestor_id signed", func(t *testing.T) *http.Request {
			return hSigned(t, "GET", hUsers+"?xoauth_requestor_id=bob", hUsers+"?xoauth_requestor_id=bob", hProto(m), nil)
		}, 200, "", "", "bob"},
		{"xoauth_requestor_id signed in the header", func(t *testing.T) *http.Request {
			return hSigned(t, "GET", hUsers, hUsers, hSet(hProto(m), "xoauth_requestor_id", "bob"), nil)
		}, 200, "", "", "bob"},
		{"xoauth_requestor_id changed after signing", func(t *testing.T) *http.Request {
			return hSigned(t, "GET", hUsers+"?xoauth_requestor_id=alice", hUsers+"?xoauth_requestor_id=bob", hProto(m), nil)
		}, 401, "signature_invalid", "", ""},
		{"xoauth_requestor_id case changed after signing", func(t *testing.T) *http.Request {
			return hSigned(t, "GET", hUsers+"?xoauth_requestor_id=Bob", hUsers+"?xoauth_requestor_id=bob", hProto(m), nil)
		}, 401, "signature_invalid", "", ""},
		{"xoauth_requestor_id added after signing", func(t *testing.T) *http.Request {
			return hSigned(t, "GET", hUsers+"?xoauth_requestor_id=alice", hUsers, hProto(m), nil)
		}, 401, "signature_invalid", "", ""},
		{"xoauth_requestor_id duplicated after signing", func(t *testing.T) *http.Request {
			return hSigned(t, "GET", hUsers+"?xoauth_requestor_id=bob&xoauth_requestor_id=alice", hUsers+"?xoauth_requestor_id=bob", hProto(m), nil)
		}, 401, "signature_invalid", "", ""},
		{"xoauth_requestor_id moved into the header after signing", func(t *testing.T) *http.Request {
			return hEditHeader(hSigned(t, "GET", hUsers, hUsers+"?xoauth_requestor_id=bob", hProto(m), nil), func(h string) string {
				return h + `, xoauth_requestor_id="alice"`
			})
		}, 401, "signature_invalid", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			hServe(m, tt.build(t)).check(t, tt.status, tt.problem, tt.extra, tt.user)
		})
	}

	t.Run("replay with another spelling of the timestamp", func(t *testing.T) {
		t.Parallel()
		proto := hProto(m)
		hServe(m, hSigned(t, "GET", hUsers, hUsers, proto, nil)).check(t, 200, "", "", "svc-ci")
		for _, ts := range []string{"+" + proto[2][1], "0" + proto[2][1], proto[2][1]} {
			hServe(m, hSigned(t, "GET", hUsers, hUsers, hSet(proto, "oauth_timestamp", ts), nil)).check(t, 401, "nonce_used", "", "")
		}
	})

	t.Run("replay with another encoding of the nonce", func(t *testing.T) {
		t.Parallel()
		proto := hSet(hProto(m), "oauth_nonce", "r+"+testsupport.RandomAlnum(12))
		hServe(m, hSigned(t, "GET", hUsers, hUsers, proto, nil)).check(t, 200, "", "", "svc-ci")
		r := hEditHeader(hSigned(t, "GET", hUsers, hUsers, proto, nil), func(h string) string { return strings.Replace(h, "r%2B", "r+", 1) })
		hServe(m, r).check(t, 401, "nonce_used", "", "")
	})

	t.Run("dghubble/oauth1 signatures still pass", func(t *testing.T) {
		t.Parallel()
		cfg := &oauth1.Config{ConsumerKey: TestLinkConsumerKey, Signer: &oauth1.RSASigner{PrivateKey: testsupport.MustPrivateKey(t, testLinkPrivateKeyPEM)}, Noncer: oauth1.Base64Noncer{}}
		ctx := context.WithValue(t.Context(), oauth1.HTTPClient, &http.Client{Transport: hTransport{m}})
		for _, u := range []string{hUsers, hUsers + "?xoauth_requestor_id=bob&q=a%2Bb+c%FF"} {
			resp, err := cfg.Client(ctx, oauth1.NewToken("", "")).Get(u)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Errorf("%s: status %d (%s)", u, resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
			}
		}
	})
}

// hTransport serves client requests with the mock in-process.
type hTransport struct{ m *testMock }

func (h hTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	sr := httptest.NewRequest(r.Method, r.URL.String(), r.Body)
	sr.Header = r.Header.Clone()
	rec := httptest.NewRecorder()
	h.m.ServerHandler().ServeHTTP(rec, sr)
	return rec.Result(), nil
}
