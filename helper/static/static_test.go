package static

import (
	"encoding/base64"
	"errors"
	"testing"
	"time"
)

func TestKind(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, product, explicit, token string
		email                          bool
		want                           string
		wantErr                        bool
	}{
		{"dc default", "datacenter", "", "MTIz", false, KindHTTPToken, false},
		{"server default", "server", "", "MTIz", false, KindHTTPToken, false},
		{"cloud email means api token", "cloud", "", "whatever", true, KindAPIToken, false},
		{"cloud ATATT prefix", "cloud", "", "ATATT3xabc", false, KindAPIToken, false},
		{"cloud otherwise access token", "cloud", "", "ATCTT3xabc", false, KindAccessToken, false},
		{"explicit wins", "cloud", KindAccessToken, "ATATT3xabc", true, KindAccessToken, false},
		{"cloud kind on dc", "datacenter", KindAPIToken, "x", false, "", true},
		{"dc kind on cloud", "cloud", KindHTTPToken, "x", false, "", true},
		{"unknown kind", "cloud", "app-password", "x", false, "", true},
	}
	for _, tc := range tests {
		got, err := Kind(tc.product, tc.explicit, tc.token, tc.email)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("%s: Kind = %q, %v; want %q (error %t)", tc.name, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestRefuseAppPassword(t *testing.T) {
	t.Parallel()
	if err := RefuseAppPassword("ATBBabcdefghijklmnop", false); !errors.Is(err, errAppPassword) {
		t.Errorf("ATBB prefix: %v, want ErrAppPassword", err)
	}
	if err := RefuseAppPassword("ATATT3xabc", true); !errors.Is(err, errAppPassword) {
		t.Errorf("--app-password: %v, want ErrAppPassword", err)
	}
	if err := RefuseAppPassword("ATATT3xabc", false); err != nil {
		t.Errorf("API token: %v, want nil", err)
	}
}

func TestGitUsername(t *testing.T) {
	t.Parallel()
	for _, tc := range [][3]string{
		{KindAPIToken, "", apiTokenGitUser},
		{KindAPIToken, "alice", "alice"},
		{KindAccessToken, "alice", accessTokenGitUser},
		{KindHTTPToken, "alice", "alice"},
	} {
		if got := GitUsername(tc[0], tc[1]); got != tc[2] {
			t.Errorf("GitUsername(%q, %q) = %q, want %q", tc[0], tc[1], got, tc[2])
		}
	}
}

func TestWarnDue(t *testing.T) {
	t.Parallel()
	exp := time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	tests := []struct {
		name        string
		expiry, now time.Time
		warned      time.Time
		want        bool
	}{
		{"unknown expiry", time.Time{}, exp, time.Time{}, false},
		{"8 days left", exp, exp.Add(-8 * day), time.Time{}, false},
		{"7 days left", exp, exp.Add(-7 * day), time.Time{}, true},
		{"warned 23h ago", exp, exp.Add(-3 * day), exp.Add(-3*day - 23*time.Hour), false},
		{"warned 24h ago", exp, exp.Add(-3 * day), exp.Add(-4 * day), true},
		{"warned in the future (clock moved back)", exp, exp.Add(-3 * day), exp.Add(-day), true},
		{"expired", exp, exp, time.Time{}, false},
	}
	for _, tc := range tests {
		if got := warnDue(tc.expiry, tc.warned, tc.now); got != tc.want {
			t.Errorf("%s: WarnDue = %t, want %t", tc.name, got, tc.want)
		}
	}
}

func TestParseExpires(t *testing.T) {
	t.Parallel()
	got, err := ParseExpires("2027-03-31")
	if err != nil || !got.Equal(time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("date: %v, %v", got, err)
	}
	got, err = ParseExpires("2027-03-31T12:00:00+02:00")
	if err != nil || !got.Equal(time.Date(2027, 3, 31, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("RFC 3339: %v, %v", got, err)
	}
	if _, err := ParseExpires("next tuesday"); err == nil {
		t.Error("garbage accepted")
	}
}

func TestDCTokenID(t *testing.T) {
	t.Parallel()
	tok := base64.StdEncoding.EncodeToString(append([]byte("252973515069:"), make([]byte, 20)...))
	if got := dcTokenID(tok); got != "252973515069" {
		t.Errorf("dcTokenID = %q", got)
	}
	for _, bad := range []string{"ATATT3x", base64.StdEncoding.EncodeToString([]byte("abc:def")), base64.StdEncoding.EncodeToString([]byte("nocolon"))} {
		if got := dcTokenID(bad); got != "" {
			t.Errorf("dcTokenID(%q) = %q, want none", bad, got)
		}
	}
}
