package cli

import (
	"strings"
	"testing"
)

// TestCommandRemoteUsage: every user command that names a remote parses
// it through commandRemote, with the same usage errors (exit 2) and
// nothing on stdout.
func TestCommandRemoteUsage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"unconfigure"}, "unconfigure: the remote URL is required"},
		{[]string{"configure", "--grant", "client-credentials"}, "configure: the remote URL is required"},
		{[]string{"configure", "--grant", "static", "--token-stdin"}, "configure: the remote URL is required"},
		{[]string{"configure", "https://me@" + testHost, "--grant", "client-credentials"}, "configure: the URL must not contain a user name"},
		{[]string{"unconfigure", "https://me@" + testHost}, "unconfigure: the URL must not contain a user name"},
		{[]string{"login", "https://me:pw@" + testHost}, "login: the URL must not contain a password"},
		{[]string{"token", "ftp://" + testHost}, `token: "ftp://` + testHost + `" is not an https:// URL`},
		{[]string{"logout", "https://a", "https://b"}, "logout: too many arguments: https://b"},
		{[]string{"status", "--bogus"}, "status: "},
		{[]string{"doctor", "https://a", "https://b"}, "doctor: too many arguments: https://b"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			stdout, stderr, code := h.run("", nil, tc.args...)
			if code != exitUsage || stdout != "" || !strings.Contains(stderr, tc.want) || !strings.Contains(stderr, "--help)") {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d, stderr with %q and the --help pointer", code, stdout, stderr, exitUsage, tc.want)
			}
		})
	}
}
