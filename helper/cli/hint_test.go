package cli

import (
	"strings"
	"testing"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

const serverRealm = `wwwauth[]=Basic realm="Atlassian Bitbucket"`

// TestServerChallengeHint: an unconfigured remote that answers with
// Bitbucket Server's challenge gets one stderr line naming configure, and
// no credentials; nothing for other realms or bitbucket.org lookalikes.
func TestServerChallengeHint(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want string // substring of the one hint line; "" means silence
	}{
		{name: "server challenge",
			in:   "protocol=https\nhost=git.corp.test\n" + serverRealm + "\n",
			want: "https://git.corp.test answered as Bitbucket Server/Data Center, which is not configured for this helper; to use it, run: git-credential-bitbucket configure https://git.corp.test[/<context-path>] --grant "},
		{name: "no path: say to add the context path",
			in:   "protocol=https\nhost=git.corp.test\n" + serverRealm + "\n",
			want: "oauth2 ... (include the context path, e.g. /bitbucket, if Bitbucket is served under one)"},
		{name: "path without scm: context path unknown",
			in:   "protocol=https\nhost=git.corp.test\npath=proj/widgets.git\n" + serverRealm + "\n",
			want: "configure https://git.corp.test[/<context-path>] --grant "},
		{name: "with a context path",
			in:   "protocol=https\nhost=git.corp.test:8443\npath=bitbucket/scm/proj/widgets.git\n" + serverRealm + "\n",
			want: "git-credential-bitbucket configure https://git.corp.test:8443/bitbucket --grant oauth1|oauth1-2lo|oauth1-impersonate|oauth2 ...\n"},
		{name: "among other challenges",
			in:   "protocol=http\nhost=127.0.0.1:7990\nwwwauth[]=Bearer realm=\"x\"\nwwwauth[]=basic realm=\"Atlassian Bitbucket\", charset=\"UTF-8\"\n",
			want: "configure http://127.0.0.1:7990[/<context-path>] --grant "},
		{name: "bitbucket-looking name is fine",
			in:   "protocol=https\nhost=bitbucket.corp.test\n" + serverRealm + "\n",
			want: "configure https://bitbucket.corp.test[/<context-path>] --grant "},
		{name: "other realm", in: "protocol=https\nhost=git.corp.test\nwwwauth[]=Basic realm=\"GitHub\"\n"},
		{name: "realm in another scheme", in: "protocol=https\nhost=git.corp.test\nwwwauth[]=Bearer realm=\"Atlassian Bitbucket\"\n"},
		{name: "realm prefix", in: "protocol=https\nhost=git.corp.test\nwwwauth[]=Basic realm=\"Atlassian Bitbucket Evil\"\n"},
		{name: "no challenge", in: "protocol=https\nhost=git.corp.test\n"},
		{name: "lookalike subdomain", in: "protocol=https\nhost=bitbucket.org.evil.test\n" + serverRealm + "\n"},
		{name: "lookalike prefix", in: "protocol=https\nhost=evilbitbucket.org\n" + serverRealm + "\n"},
		{name: "lookalike dashes", in: "protocol=https\nhost=bitbucket-org.test\n" + serverRealm + "\n"},
		{name: "bitbucket.org on another port", in: "protocol=https\nhost=bitbucket.org:8443\n" + serverRealm + "\n"},
		{name: "punycode", in: "protocol=https\nhost=xn--bitbucket-9za.test\n" + serverRealm + "\n"},
		{name: "non-ASCII", in: "protocol=https\nhost=bitbucket.οrg\n" + serverRealm + "\n"},
		{name: "plain http to a remote host", in: "protocol=http\nhost=git.corp.test\n" + serverRealm + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.prov.obtain = func(*tokenstore.Record, bool) (*tokenstore.Record, error) {
				t.Error("provider called for a remote that is not configured")
				return nil, nil
			}
			stdout, stderr, code := h.run(tt.in, nil, "get")
			if stdout != "" || code != 0 {
				t.Errorf("stdout %q exit %d; want nothing, 0", stdout, code)
			}
			switch {
			case tt.want == "" && stderr != "":
				t.Errorf("stderr %q; want nothing", stderr)
			case tt.want != "" && (!strings.HasPrefix(stderr, linePrefix) || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tt.want)):
				t.Errorf("stderr %q; want one line with %q", stderr, tt.want)
			}
		})
	}
}

// TestServerChallengeHintOnlyWhenNotOurs: a configured remote is served,
// not hinted at; store and erase never hint.
func TestServerChallengeHintOnlyWhenNotOurs(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.prov.obtain = func(*tokenstore.Record, bool) (*tokenstore.Record, error) {
		return record("tok-new-456", "", 2*time.Hour), nil
	}
	stdout, stderr, _ := h.run(request(serverRealm), nil, "get")
	if !strings.Contains(stdout, "password=tok-new-456") || stderr != "" {
		t.Errorf("configured remote: stdout %q stderr %q", stdout, stderr)
	}
	for _, op := range []string{"store", "erase"} {
		if stdout, stderr, _ := h.run("protocol=https\nhost=git.corp.test\nusername=u\npassword=p\n"+serverRealm+"\n", nil, op); stdout != "" || stderr != "" {
			t.Errorf("%s: stdout %q stderr %q; want nothing", op, stdout, stderr)
		}
	}
}
