package fastpath

import (
	"testing"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/grant"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

// TestDecide: which stored record answers, and every reason for none.
func TestDecide(t *testing.T) {
	t.Parallel()
	key := tokenstore.Key{Protocol: "https", Host: "bitbucket.org"}
	base := func(mod func(*tokenstore.Record)) []*tokenstore.Record {
		r := &tokenstore.Record{Key: key, Kind: grant.KindCloud, Grant: grant.AuthorizationCode, AccessToken: "access-token-value",
			RefreshToken: "refresh-token-value", Expiry: now0.Add(time.Hour), Updated: now0.Add(-time.Hour), RefreshUsed: now0.Add(-time.Hour)}
		if mod != nil {
			mod(r)
		}
		return []*tokenstore.Record{r}
	}
	req := Request{Protocol: "https", Host: "bitbucket.org", Path: "acme/widgets.git"}
	tests := []struct {
		name       string
		recs       []*tokenstore.Record
		req        Request
		margin     time.Duration
		answers    bool
		staticWarn bool
	}{
		{"fresh", base(nil), req, 0, true, false},
		{"no record", nil, req, 0, false, false},
		{"other host", base(nil), Request{Protocol: "https", Host: "example.org"}, 0, false, false},
		{"not http", base(nil), Request{Protocol: "cert", Host: "bitbucket.org"}, 0, false, false},
		{"host smuggles a user", base(nil), Request{Protocol: "https", Host: "a@bitbucket.org"}, 0, false, false},
		{"dot segments", base(func(r *tokenstore.Record) { r.Key.Path = "ctx" }), Request{Protocol: "https", Host: "bitbucket.org", Path: "ctx/%2e%2e/other"}, 0, false, false},
		{"within the default margin", base(func(r *tokenstore.Record) { r.Expiry = now0.Add(4 * time.Minute) }), req, 0, false, false},
		{"outside a record's smaller margin", base(func(r *tokenstore.Record) { r.Expiry = now0.Add(4 * time.Minute); r.RefreshMargin = time.Minute }), req, 0, true, false},
		{"within the environment's margin", base(nil), req, 2 * time.Hour, false, false},
		{"expired", base(func(r *tokenstore.Record) { r.Expiry = now0.Add(-time.Second) }), req, 0, false, false},
		{"no expiry known", base(func(r *tokenstore.Record) { r.Expiry = time.Time{} }), req, 0, false, false},
		{"keep-alive due", base(func(r *tokenstore.Record) { r.RefreshUsed = now0.Add(-KeepAliveAfter) }), req, 0, false, false},
		{"keep-alive not for client credentials", base(func(r *tokenstore.Record) {
			r.Grant = grant.ClientCredentials
			r.RefreshUsed = now0.Add(-KeepAliveAfter)
		}), req, 0, true, false},
		{"static, no expiry", base(func(r *tokenstore.Record) { r.Grant = grant.Static; r.Expiry = time.Time{} }), req, 0, true, false},
		{"static, within the margin", base(func(r *tokenstore.Record) { r.Grant = grant.Static; r.Expiry = now0.Add(time.Minute) }), req, 0, true, true},
		{"static, warned today", base(func(r *tokenstore.Record) {
			r.Grant = grant.Static
			r.Expiry = now0.Add(48 * time.Hour)
			r.ExpiryWarned = now0.Add(-time.Hour)
		}), req, 0, true, false},
		{"static, expired", base(func(r *tokenstore.Record) { r.Grant = grant.Static; r.Expiry = now0 }), req, 0, false, false},
		{"impersonation without an allow-list", base(func(r *tokenstore.Record) { r.Grant = grant.OAuth1Impersonate; r.Kind = grant.KindServer }), req, 0, false, false},
		{"impersonation: a URL user no record was minted for", base(func(r *tokenstore.Record) {
			r.Grant, r.Kind, r.Identity = grant.OAuth1Impersonate, grant.KindServer, "user=alice%2Cbob"
		}), Request{Protocol: "https", Host: "bitbucket.org", Username: "bob"}, 0, false, false},
		{"impersonation, request without a username", base(func(r *tokenstore.Record) {
			r.Grant, r.Kind, r.Identity = grant.OAuth1Impersonate, grant.KindServer, "user=alice%2Cbob"
		}), req, 0, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := Decide(tt.recs, tt.req, now0, tt.margin)
			if (res.Record != nil) != tt.answers || res.StaticWarn != tt.staticWarn {
				t.Errorf("Decide = record %v, static warning %t (%s); want answers %t, warning %t", res.Record != nil, res.StaticWarn, res.Why, tt.answers, tt.staticWarn)
			}
			if res.Why == "" {
				t.Error("no reason given for the trace")
			}
		})
	}
}

// TestDecideFound: a record the request matched is reported (for the
// caller's redaction) even when it is not served; none for another host.
func TestDecideFound(t *testing.T) {
	t.Parallel()
	rec := &tokenstore.Record{Key: tokenstore.Key{Protocol: "https", Host: "bitbucket.org"}, AccessToken: "a", Expiry: now0.Add(-time.Minute)}
	res := Decide([]*tokenstore.Record{rec}, Request{Protocol: "https", Host: "bitbucket.org"}, now0, 0)
	if res.Record != nil || res.Found != rec {
		t.Errorf("expired record: served %v, found %v; want found only", res.Record, res.Found)
	}
	if res := Decide([]*tokenstore.Record{rec}, Request{Protocol: "https", Host: "example.org"}, now0, 0); res.Found != nil {
		t.Errorf("another host found %v", res.Found)
	}
}
