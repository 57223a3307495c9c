package scripttest

import (
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestConsentForm(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		page   string
		ok     bool
		action string
		method string
		values url.Values
	}{
		{
			name: "approve and deny buttons",
			page: `<html><form method="post" action="/site/oauth2/authorize/decide">
<input type="hidden" name="csrf" value="a&amp;b">
<input type="checkbox" name="remember" checked>
<button type="submit" name="decision" value="deny">Deny</button>
<button type="submit" name="decision" value="approve">Grant access</button></form>`,
			ok: true, action: "/site/oauth2/authorize/decide", method: "POST",
			values: url.Values{"csrf": {"a&b"}, "remember": {"on"}, "decision": {"approve"}},
		},
		{
			name: "submit input, GET form",
			page: `<form action='/ok'><input type=hidden name=oauth_token value=rt><input type=submit value="Allow"></form>`,
			ok:   true, action: "/ok", method: "GET", values: url.Values{"oauth_token": {"rt"}},
		},
		{
			name: "error page has no approving form",
			page: `<h1>Invalid client_id</h1><form action="/login"><input type=submit value="Cancel"></form>`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, ok := ConsentForm(tt.page)
			if ok != tt.ok {
				t.Fatalf("found = %v, want %v", ok, tt.ok)
			}
			if !ok {
				return
			}
			if diff := cmp.Diff([]any{tt.action, tt.method, tt.values}, []any{f.Action, f.Method, f.Values}); diff != "" {
				t.Errorf("form (-want +got):\n%s", diff)
			}
		})
	}
}
