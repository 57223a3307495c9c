package consent

import (
	"context"
	"encoding/base64"
	"testing"
	"time"
)

func TestNewStateIs32RandomBytes(t *testing.T) {
	t.Parallel()
	a, err := NewState()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := NewState()
	raw, err := base64.RawURLEncoding.DecodeString(a)
	if err != nil || len(raw) != 32 {
		t.Fatalf("state %q: %d bytes, %v; want 32 bytes of base64url", a, len(raw), err)
	}
	if a == b {
		t.Errorf("two states are both %q", a)
	}
}

func TestBound(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		limit, want time.Duration
	}{{0, DefaultTimeout}, {-time.Second, DefaultTimeout}, {time.Minute, time.Minute}} {
		ctx, cancel, got := Bound(context.Background(), tc.limit)
		dl, ok := ctx.Deadline()
		cancel()
		if got != tc.want || !ok || time.Until(dl) > tc.want {
			t.Errorf("Bound(%s) = %s (deadline %v), want %s", tc.limit, got, ok, tc.want)
		}
	}
}
