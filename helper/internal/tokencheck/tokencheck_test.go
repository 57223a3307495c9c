package tokencheck

import (
	"strings"
	"testing"
	"time"
)

// TestTokenHostile is the hostile-input table for tokens.
func TestTokenHostile(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, v string
		ok      bool
	}{
		{"cloud-sized", strings.Repeat("A", 2600), true},
		{"dc-shaped", "MjUyOTczNTE1MDY5On2rDbID2EgYpH8AVOECHv0saruQ", true},
		{"jwt-ish", "eyJhbGciOiJIUzI1NiJ9.e30.sig-_~+/=", true},
		{"exactly 16 KiB", strings.Repeat("x", MaxLen), true},
		{"empty", "", false},
		{"16 KiB + 1", strings.Repeat("x", MaxLen+1), false},
		{"900 KB", strings.Repeat("x", 900_000), false},
		{"space", "a b", false},
		{"tab", "a\tb", false},
		{"newline", "tok\nurl=https://evil", false},
		{"CR", "tok\r", false},
		{"NUL", "tok\x00", false},
		{"ESC", "\x1b]0;pwned\x07", false},
		{"DEL", "tok\x7f", false},
		{"latin-1", "tok\xe9", false},
		{"utf-8", "tokü", false},
		{"bidi override", "tok\u202e", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := Token("access token", tt.v)
			if (err == nil) != tt.ok {
				t.Fatalf("Token = %v, want ok=%v", err, tt.ok)
			}
			if err != nil && len(tt.v) > 3 && strings.Contains(err.Error(), tt.v) {
				t.Errorf("error %q holds the token", err)
			}
		})
	}
}

func TestBearer(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		typ string
		ok  bool
	}{{"bearer", true}, {"Bearer", true}, {"BEARER", true}, {"", false}, {"mac", false}, {"bearer ", false}, {"\x1b[31mbearer", false}} {
		if err := Bearer(tt.typ); (err == nil) != tt.ok {
			t.Errorf("Bearer(%q) = %v, want ok=%v", tt.typ, err, tt.ok)
		} else if err != nil && strings.ContainsRune(err.Error(), 0x1b) {
			t.Errorf("Bearer(%q) error carries an ESC: %q", tt.typ, err)
		}
	}
}

func TestLife(t *testing.T) {
	t.Parallel()
	year := int64(maxLife / time.Second)
	for _, tt := range []struct {
		in     int64
		want   time.Duration
		traced bool
	}{
		{7200, 2 * time.Hour, false},
		{1, time.Second, false},
		{year, maxLife, false},
		{0, defaultLife, true},
		{-5, defaultLife, true},
		{year + 1, defaultLife, true},
		{1 << 31, defaultLife, true},
		{1<<63 - 1, defaultLife, true},
	} {
		got, why := Life(tt.in)
		if got != tt.want || (why != "") != tt.traced {
			t.Errorf("Life(%d) = %s, %q; want %s, traced=%v", tt.in, got, why, tt.want, tt.traced)
		}
	}
}

// FuzzToken: an accepted token is one line of visible ASCII within the
// bound, so it can never split git's wire or a terminal; an error never
// holds the token.
func FuzzToken(f *testing.F) {
	for _, s := range []string{"abc", "a\nb", "\x1b[2J", strings.Repeat("z", MaxLen+1), "tok\u202e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		err := Token("access token", v)
		if err != nil {
			if len(v) > 8 && strings.Contains(err.Error(), v) {
				t.Fatalf("error holds the token")
			}
			return
		}
		if v == "" || len(v) > MaxLen || strings.ContainsAny(v, " \t\r\n\x00\x1b\x7f") {
			t.Fatalf("accepted %q", v)
		}
		for _, r := range v {
			if r < 0x21 || r > 0x7e {
				t.Fatalf("accepted rune %U", r)
			}
		}
	})
}
