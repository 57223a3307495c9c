package datacenter

import (
	"net/http"
	"testing"

	"golang.org/x/oauth2"
)

// TestDeadGrantNeedsTheServersWord: a refresh token is dropped only when
// the answer carries RFC 6749's invalid_grant (or invalid_token); a bare
// 400/401 (a proxy or SSO gateway in front of DC) keeps it.
func TestDeadGrantNeedsTheServersWord(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		code   string
		status int
		want   bool
	}{
		{"invalid_grant", 400, true},
		{"invalid_token", 401, true},
		{"", 400, false},
		{"", 401, false},
		{"invalid_client", 401, false},
		{"server_error", 500, false},
	} {
		re := &oauth2.RetrieveError{ErrorCode: tt.code, Response: &http.Response{StatusCode: tt.status}}
		if got := deadGrant(re); got != tt.want {
			t.Errorf("deadGrant(%q, %d) = %v, want %v", tt.code, tt.status, got, tt.want)
		}
	}
}
