package gitcred_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bbcred/git-credential-bitbucket/helper/gitconfig"
	"github.com/bbcred/git-credential-bitbucket/helper/gitcred"
)

// wellFormed are requests as git (or a careful caller) sends them.
var wellFormed = []struct {
	name string
	in   string
	want gitcred.Request
}{
	{
		name: "git http 2.47 get",
		in: "capability[]=authtype\ncapability[]=state\nprotocol=https\nhost=bitbucket.org\n" +
			"wwwauth[]=Basic realm=\"Bitbucket.org HTTP\"\n",
		want: gitcred.Request{
			Protocol: "https", Host: "bitbucket.org",
			Capabilities: []string{"authtype", "state"},
			WWWAuth:      []string{`Basic realm="Bitbucket.org HTTP"`},
		},
	},
	{
		name: "no trailing newline",
		in:   "protocol=https\nhost=bitbucket.org",
		want: gitcred.Request{Protocol: "https", Host: "bitbucket.org"},
	},
	{
		name: "blank line ends the request",
		in:   "protocol=https\nhost=bitbucket.org\n\nhost=evil.com\n",
		want: gitcred.Request{Protocol: "https", Host: "bitbucket.org"},
	},
	{
		name: "CRLF tolerated",
		in:   "protocol=https\r\nhost=bb.example.com:7990\r\nusername=alice\r\n\r\n",
		want: gitcred.Request{Protocol: "https", Host: "bb.example.com:7990", Username: "alice", HasUsername: true},
	},
	{
		name: "empty host present, cert path",
		in:   "protocol=cert\nhost=\npath=/home/u/cert.p12\n",
		want: gitcred.Request{Protocol: "cert", Path: "/home/u/cert.p12", HasPath: true},
	},
	{
		name: "empty username and password are present",
		in:   "protocol=https\nhost=sso.tld\nusername=\npassword=\n",
		want: gitcred.Request{Protocol: "https", Host: "sso.tld", HasUsername: true, HasPassword: true},
	},
	{
		name: "value keeps later equals signs",
		in:   "protocol=https\nhost=h\npassword=a=b==\n",
		want: gitcred.Request{Protocol: "https", Host: "h", Password: "a=b==", HasPassword: true},
	},
	{
		name: "last scalar wins, lists keep order",
		in:   "protocol=http\nprotocol=https\nhost=a\nhost=b\nstate[]=x:1\nstate[]=bitbucket:2\nwwwauth[]=\nwwwauth[]=Bearer\n",
		want: gitcred.Request{
			Protocol: "https", Host: "b",
			State:   []string{"x:1", "bitbucket:2"},
			WWWAuth: []string{"", "Bearer"},
		},
	},
	{
		name: "unknown and odd keys ignored",
		in:   "protocol=https\nhost=h\n password=x\nPassword=y\nquit=1\nfuture[]=z\n=nokey\n",
		want: gitcred.Request{Protocol: "https", Host: "h"},
	},
	{
		name: "all attributes of git 2.46",
		in: "capability[]=authtype\nauthtype=Bearer\ncredential=tok\nephemeral=1\nprotocol=https\n" +
			"host=bb.example.com:7990\npath=scm/p/r.git\nusername=alice\npassword=pw\n" +
			"oauth_refresh_token=rt\npassword_expiry_utc=1700000000\ncontinue=yes\nstate[]=bitbucket:seen=abc\n",
		want: gitcred.Request{
			Protocol: "https", Host: "bb.example.com:7990", Path: "scm/p/r.git", HasPath: true,
			Username: "alice", HasUsername: true, Password: "pw", HasPassword: true,
			PasswordExpiryUTC: "1700000000", OAuthRefreshToken: "rt",
			Capabilities: []string{"authtype"}, State: []string{"bitbucket:seen=abc"},
			AuthType: "Bearer", Credential: "tok", Ephemeral: true, Continue: true,
		},
	},
	{
		name: "git booleans",
		in:   "protocol=https\nhost=h\nephemeral=On\ncontinue=0\n",
		want: gitcred.Request{Protocol: "https", Host: "h", Ephemeral: true},
	},
	{
		name: "line exactly at the limit",
		in:   "protocol=https\nhost=h\nwwwauth[]=" + strings.Repeat("a", gitcred.MaxLineLength-len("wwwauth[]=\n")) + "\n",
		want: gitcred.Request{Protocol: "https", Host: "h", WWWAuth: []string{strings.Repeat("a", gitcred.MaxLineLength-len("wwwauth[]=\n"))}},
	},
	{
		name: "CRLF line exactly at the limit",
		in:   "protocol=https\nhost=h\nwwwauth[]=" + strings.Repeat("a", gitcred.MaxLineLength-len("wwwauth[]=\r\n")) + "\r\n",
		want: gitcred.Request{Protocol: "https", Host: "h", WWWAuth: []string{strings.Repeat("a", gitcred.MaxLineLength-len("wwwauth[]=\r\n"))}},
	},
	{
		name: "last line without newline at the limit",
		in:   "protocol=https\nhost=h\nwwwauth[]=" + strings.Repeat("a", gitcred.MaxLineLength-len("wwwauth[]=\n")),
		want: gitcred.Request{Protocol: "https", Host: "h", WWWAuth: []string{strings.Repeat("a", gitcred.MaxLineLength-len("wwwauth[]=\n"))}},
	},
	{
		// lib-credential "helper ... not confused by long header": a long
		// wwwauth[] ending in host= must stay one value.
		name: "long header is not split",
		in:   "protocol=https\nhost=badguy.example.com\nwwwauth[]=Bearer " + strings.Repeat("x", 1000) + "host=bitbucket.org\n",
		want: gitcred.Request{Protocol: "https", Host: "badguy.example.com",
			WWWAuth: []string{"Bearer " + strings.Repeat("x", 1000) + "host=bitbucket.org"}},
	},
}

func TestReadWellFormed(t *testing.T) {
	t.Parallel()
	for _, tc := range wellFormed {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := gitcred.Read(strings.NewReader(tc.in))
			if err != nil {
				t.Fatalf("Read: %v", err)
			}
			if diff := cmp.Diff(&tc.want, got); diff != "" {
				t.Errorf("Read mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// hostile are inputs that must never yield a Bitbucket Cloud credential:
// either Read refuses them (wantLine/wantReason), or the request it
// returns is not for a Cloud host.
var hostile = []struct {
	name     string
	in       string
	wantLine int    // for a *MalformedError
	wantText string // substring of the error
}{
	{name: "CR smuggles a second host", in: "protocol=https\nhost=evil.com\rhost=bitbucket.org\n", wantLine: 2, wantText: "line 2 has a carriage return"},
	{name: "lone CR at EOF", in: "protocol=https\nhost=bitbucket.org\r", wantLine: 2, wantText: "carriage return"},
	{name: "CR CR LF", in: "protocol=https\nhost=bitbucket.org\r\r\n", wantLine: 2, wantText: "carriage return"},
	{name: "CR in key", in: "protocol=https\nho\rst=bitbucket.org\n", wantLine: 2, wantText: "carriage return"},
	{name: "NUL truncation", in: "protocol=https\nhost=bitbucket.org\x00.evil.com\n", wantLine: 2, wantText: "NUL"},
	{name: "NUL in password", in: "protocol=https\nhost=h\npassword=a\x00b\n", wantLine: 3, wantText: "NUL"},
	{name: "url after host", in: "protocol=https\nhost=evil.com\nurl=https://bitbucket.org/\n", wantLine: 3, wantText: "url"},
	{name: "url before host", in: "url=https://evil.com/\nprotocol=https\nhost=bitbucket.org\n", wantLine: 1, wantText: "url"},
	{name: "url alone", in: "url=https://bitbucket.org\n", wantLine: 1, wantText: "url"},
	{name: "1 MB wwwauth", in: "protocol=https\nhost=evil.com\nwwwauth[]=" + strings.Repeat("A", 1<<20) + "\nhost=bitbucket.org\n", wantLine: 3, wantText: "longer than 65535"},
	{name: "line one over the limit", in: "protocol=https\nhost=h\nwwwauth[]=" + strings.Repeat("a", gitcred.MaxLineLength-len("wwwauth[]=\n")+1) + "\n", wantLine: 3, wantText: "longer"},
	{name: "CRLF line one over the limit", in: "protocol=https\nhost=h\nwwwauth[]=" + strings.Repeat("a", gitcred.MaxLineLength-len("wwwauth[]=\r\n")+1) + "\r\n", wantLine: 3, wantText: "longer"},
	{name: "last line one over the limit without newline", in: "protocol=https\nhost=h\nwwwauth[]=" + strings.Repeat("a", gitcred.MaxLineLength-len("wwwauth[]=\n")+1), wantLine: 3, wantText: "longer"},
	{name: "many lines over the total cap", in: "protocol=https\nhost=h\n" + strings.Repeat("wwwauth[]="+strings.Repeat("b", 60000)+"\n", 20), wantText: "more than 1048576 bytes"},
	{name: "line without equals", in: "protocol=https\nhost bitbucket.org\n", wantLine: 2, wantText: "has no '='"},
	{name: "missing protocol", in: "host=bitbucket.org\nusername=alice\n", wantText: "no protocol attribute"},
	{name: "empty protocol", in: "protocol=\nhost=bitbucket.org\n", wantText: "no protocol attribute"},
	{name: "protocol after blank line", in: "host=bitbucket.org\n\nprotocol=https\n", wantText: "no protocol attribute"},
	{name: "empty input", in: "", wantText: "no protocol attribute"},
	{name: "bad boolean", in: "protocol=https\nhost=h\nephemeral=maybe\n", wantLine: 3, wantText: "not a boolean"},
	{name: "bad boolean continue", in: "protocol=https\nhost=h\ncontinue=0x\n", wantLine: 3, wantText: "not a boolean"},
	{name: "host merely ends in bitbucket.org", in: "protocol=https\nhost=evilbitbucket.org\n"},
	{name: "host extends bitbucket.org", in: "protocol=https\nhost=bitbucket.org.evil.com\n"},
	{name: "host with other port", in: "protocol=https\nhost=bitbucket.org:8443\n"},
	{name: "host with userinfo", in: "protocol=https\nhost=bitbucket.org@evil.com\n"},
	{name: "host with trailing space", in: "protocol=https\nhost=bitbucket.org \n"},
	{name: "space before key", in: "protocol=https\nhost=evil.com\n host=bitbucket.org\n"},
	{name: "uppercase key", in: "protocol=https\nhost=evil.com\nHOST=bitbucket.org\n"},
	{name: "host inside a long wwwauth", in: "protocol=https\nhost=evil.com\nwwwauth[]=" + strings.Repeat("x", 1024) + "host=bitbucket.org\n"},
}

func TestReadHostile(t *testing.T) {
	t.Parallel()
	for _, tc := range hostile {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req, err := gitcred.Read(strings.NewReader(tc.in))
			if tc.wantText == "" {
				if err != nil {
					return // refusing is also safe
				}
				if gitconfig.IsCloudHost(req.Host) {
					t.Fatalf("Read gave host %q, which IsCloudHost accepts", req.Host)
				}
				return
			}
			if err == nil {
				t.Fatalf("Read succeeded with %+v, want a malformed error", req)
			}
			if req != nil {
				t.Errorf("Read returned a request with its error")
			}
			var me *gitcred.MalformedError
			if !errors.As(err, &me) {
				t.Fatalf("error %v is %T, want *MalformedError", err, err)
			}
			if me.Line != tc.wantLine {
				t.Errorf("Line = %d, want %d", me.Line, tc.wantLine)
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.wantText) {
				t.Errorf("error %q does not contain %q", msg, tc.wantText)
			}
			if strings.ContainsAny(msg, "\n\r") || strings.Contains(msg, "bitbucket.org") || strings.Contains(msg, "evil") {
				t.Errorf("error %q must be one line without the offending value", msg)
			}
		})
	}
}

// TestReadKeepsSecretsOutOfErrors feeds secrets into every malformed shape
// and checks that the error never contains them.
func TestReadKeepsSecretsOutOfErrors(t *testing.T) {
	t.Parallel()
	const secret = "s3cr3t-T0KEN"
	inputs := []string{
		"protocol=https\nhost=h\npassword=" + secret + "\rx\n",
		"protocol=https\nhost=h\npassword=" + secret + "\x00\n",
		"protocol=https\nhost=h\n" + secret + "\n",
		"protocol=https\nhost=h\npassword=" + secret + strings.Repeat("x", 70000) + "\n",
		"password=" + secret + "\n",
		"protocol=https\nephemeral=" + secret + "\n",
		"url=https://u:" + secret + "@h/\n",
	}
	for i, in := range inputs {
		_, err := gitcred.Read(strings.NewReader(in))
		if err == nil {
			t.Errorf("input %d: Read succeeded", i)
			continue
		}
		if strings.Contains(err.Error(), secret) {
			t.Errorf("input %d: error %q reveals the secret", i, err)
		}
	}
}

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("broken pipe") }

func TestReadIOError(t *testing.T) {
	t.Parallel()
	_, err := gitcred.Read(errReader{})
	var me *gitcred.MalformedError
	if err == nil || errors.As(err, &me) {
		t.Fatalf("Read = %v, want an I/O error that is not malformed", err)
	}
}

func TestBooleans(t *testing.T) {
	t.Parallel()
	tests := []struct {
		value string
		want  bool
		ok    bool
	}{
		{"1", true, true}, {"true", true, true}, {"TRUE", true, true}, {"yes", true, true}, {"on", true, true},
		{"0", false, true}, {"false", false, true}, {"No", false, true}, {"off", false, true}, {"", false, true},
		{"2", true, true}, {"-1", true, true}, {"0x10", true, true}, {"1k", true, true}, {" 1", true, true},
		{"00", false, true}, {"0g", false, true},
		{"maybe", false, false}, {"1x", false, false}, {"1_0", false, false}, {"0b1", false, false},
		{" ", false, false}, {"k", false, false}, {"99999999999999999999", false, false}, {"9999999999g", false, false},
	}
	for _, tc := range tests {
		in := "protocol=https\nhost=h\nephemeral=" + tc.value + "\n"
		req, err := gitcred.Read(strings.NewReader(in))
		if !tc.ok {
			if err == nil {
				t.Errorf("ephemeral=%q: Read succeeded, want malformed", tc.value)
			}
			continue
		}
		if err != nil {
			t.Errorf("ephemeral=%q: %v", tc.value, err)
			continue
		}
		if req.Ephemeral != tc.want {
			t.Errorf("ephemeral=%q: got %v, want %v", tc.value, req.Ephemeral, tc.want)
		}
	}
}

func TestPasswordExpiry(t *testing.T) {
	t.Parallel()
	tests := []struct {
		raw    string
		want   int64
		wantOK bool
	}{
		{"1700000000", 1700000000, true},
		{"", 0, false},
		{"0", 0, false},
		{"soon", 0, false},
		{"-5", 0, false},
		{"99999999999999999999999", 0, false},
	}
	for _, tc := range tests {
		r := gitcred.Request{PasswordExpiryUTC: tc.raw}
		got, ok := r.PasswordExpiry()
		if ok != tc.wantOK || ok && got.Unix() != tc.want {
			t.Errorf("PasswordExpiry(%q) = %v, %v; want %d, %v", tc.raw, got, ok, tc.want, tc.wantOK)
		}
	}
}
