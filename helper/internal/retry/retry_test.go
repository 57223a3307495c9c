package retry

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Duration{
		"": 0, "3": 3 * time.Second, "-1": 0, "soon": 0,
		"Fri, 27 Nov 2026 12:00:10 GMT": 10 * time.Second,
		"Fri, 27 Nov 2026 11:00:00 GMT": 0,
	} {
		if got := After(in, now); got != want {
			t.Errorf("After(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestTell(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		status int
		wait   time.Duration
		want   string
	}{
		{503, 2 * time.Second, ""},
		{503, 250 * time.Millisecond, ""},
		{503, 4 * time.Second, "Bitbucket is busy (503); retrying in 4 s"},
		{503, 2001 * time.Millisecond, "Bitbucket is busy (503); retrying in 3 s"},
		{429, 30 * time.Second, "Bitbucket is limiting requests (429); retrying in 30 s"},
	} {
		var got []string
		Tell(func(format string, args ...any) { got = append(got, fmt.Sprintf(format, args...)) }, tt.status, tt.wait)
		if s := strings.Join(got, "\n"); s != tt.want {
			t.Errorf("Tell(%d, %s) said %q, want %q", tt.status, tt.wait, s, tt.want)
		}
	}
	Tell(nil, 503, time.Minute) // nobody to tell: no panic
}
