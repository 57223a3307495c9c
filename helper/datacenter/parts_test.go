package datacenter

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestTokenPermissions(t *testing.T) {
	t.Parallel()
	for in, want := range map[string][]string{
		"":                          {"REPO_READ", "REPO_WRITE"},
		"REPO_READ":                 {"REPO_READ"},
		"repo_write, project_read ": {"REPO_WRITE", "PROJECT_READ"},
		"REPO_ADMIN,,PROJECT_ADMIN": {"REPO_ADMIN", "PROJECT_ADMIN"},
	} {
		if diff := cmp.Diff(want, tokenPermissions(in)); diff != "" {
			t.Errorf("tokenPermissions(%q) (-want +got):\n%s", in, diff)
		}
	}
}

func TestJSONTime(t *testing.T) {
	t.Parallel()
	ms := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		raw  string
		want time.Time
		ok   bool
	}{
		{"1795780800000", ms, true},
		{`"1795780800000"`, ms, true},
		{`"2026-11-27T12:00:00Z"`, ms, true},
		{"null", time.Time{}, false},
		{"", time.Time{}, false},
		{`"soon"`, time.Time{}, false},
		{"-5", time.Time{}, false},
	}
	for _, tt := range tests {
		got, ok := jsonTime(json.RawMessage(tt.raw))
		if ok != tt.ok || !got.Equal(tt.want) {
			t.Errorf("jsonTime(%s) = %v, %v; want %v, %v", tt.raw, got, ok, tt.want, tt.ok)
		}
	}
}
