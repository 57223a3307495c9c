package cli

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

// ignoreUpdated compares records without their write time.
var ignoreUpdated = cmpopts.IgnoreFields(tokenstore.Record{}, "Updated")

func TestStore(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		stored *tokenstore.Record
		in     string
		want   []*tokenstore.Record
	}{
		{name: "our own token: nothing to record",
			in: request("username=x-token-auth", "password=tok-1234")},
		{name: "forwarded refresh token for our remote, none held",
			in: request("username=x-token-auth", "password=tok-1234", "oauth_refresh_token=rt-forwarded"),
			want: []*tokenstore.Record{{Key: tokenstore.Key{Protocol: "https", Host: testHost, Username: "x-token-auth"},
				Kind: "cloud", Grant: "client-credentials", Identity: "kind=cloud grant=client-credentials", RefreshToken: "rt-forwarded"}}},
		{name: "forwarded refresh token while we hold one",
			stored: record("tok-1234", "rt-ours", time.Hour),
			in:     request("password=tok-1234", "oauth_refresh_token=rt-forwarded"),
			want:   []*tokenstore.Record{record("tok-1234", "rt-ours", time.Hour)}},
		{name: "forwarded refresh token added to a record without one",
			stored: record("tok-1234", "", time.Hour),
			in:     request("password=tok-1234", "oauth_refresh_token=rt-forwarded"),
			want:   []*tokenstore.Record{record("tok-1234", "rt-forwarded", time.Hour)}},
		{name: "ephemeral",
			in: request("capability[]=authtype", "authtype=Bearer", "credential=tok-1234", "ephemeral=1", "oauth_refresh_token=rt-forwarded")},
		{name: "not ours",
			in: "protocol=https\nhost=example.com\nusername=u\npassword=p\noauth_refresh_token=rt-forwarded\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			if tt.stored != nil {
				h.put(tt.stored)
			}
			stdout, stderr, code := h.run(tt.in, nil, "store")
			if stdout != "" || stderr != "" || code != 0 {
				t.Errorf("stdout %q stderr %q exit %d; want nothing, 0", stdout, stderr, code)
			}
			if diff := cmp.Diff(tt.want, h.records(), ignoreUpdated, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("records (-want +got):\n%s", diff)
			}
		})
	}
}

func TestErase(t *testing.T) {
	t.Parallel()
	dropped := record("", "rt-ours", 0)
	dropped.Expiry = time.Time{}
	tests := []struct {
		name string
		in   string
		want *tokenstore.Record
	}{
		{"matching password drops the access token, keeps the refresh token",
			request("username=x-token-auth", "password=tok-1234"), dropped},
		{"matching bearer credential",
			request("capability[]=authtype", "authtype=Bearer", "credential=tok-1234"), dropped},
		{"different password changes nothing",
			request("username=x-token-auth", "password=someone-elses"), record("tok-1234", "rt-ours", time.Hour)},
		{"host-only erase changes nothing",
			request(), record("tok-1234", "rt-ours", time.Hour)},
		{"other host changes nothing",
			"protocol=https\nhost=example.com\npassword=tok-1234\n", record("tok-1234", "rt-ours", time.Hour)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.put(record("tok-1234", "rt-ours", time.Hour))
			stdout, stderr, code := h.run(tt.in, nil, "erase")
			if stdout != "" || stderr != "" || code != 0 {
				t.Errorf("stdout %q stderr %q exit %d; want nothing, 0", stdout, stderr, code)
			}
			recs := h.records()
			if len(recs) != 1 {
				t.Fatalf("%d records, want 1", len(recs))
			}
			want := *tt.want // subtests share want records: copy before filling in
			want.RefreshMargin = recs[0].RefreshMargin
			if diff := cmp.Diff(&want, recs[0], ignoreUpdated); diff != "" {
				t.Errorf("record (-want +got):\n%s", diff)
			}
		})
	}
}
