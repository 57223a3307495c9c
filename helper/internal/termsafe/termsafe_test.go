package termsafe

import (
	"bytes"
	"testing"
)

func TestLine(t *testing.T) {
	t.Parallel()
	if got := Line(" a\x1b[31m\r\nb\x00 "); got != "a [31m  b" {
		t.Errorf("Line = %q", got)
	}
	if got := Line(string(bytes.Repeat([]byte("x"), 300))); len(got) != 203 {
		t.Errorf("Line kept %d bytes, want 200 and ...", len(got))
	}
}
