package gitcred_test

import (
	"bufio"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/gitcred"
)

var benchRequests = []struct {
	name string
	in   string
}{
	{"typical", "capability[]=authtype\ncapability[]=state\nprotocol=https\nhost=bitbucket.org\n" +
		"username=alice\nwwwauth[]=Basic realm=\"Bitbucket.org HTTP\"\n"},
	{"wwwauth60KB", "capability[]=authtype\ncapability[]=state\nprotocol=https\nhost=bitbucket.org\n" +
		"wwwauth[]=Bearer realm=\"" + strings.Repeat("r", 60<<10) + "\"\n"},
}

func BenchmarkRead(b *testing.B) {
	for _, bc := range benchRequests {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.in)))
			var r strings.Reader
			for b.Loop() {
				r.Reset(bc.in)
				if _, err := gitcred.Read(&r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkWrite(b *testing.B) {
	req, err := gitcred.Read(strings.NewReader(benchRequests[0].in))
	if err != nil {
		b.Fatal(err)
	}
	responses := []struct {
		name string
		resp *gitcred.Response
	}{
		{"typical", &gitcred.Response{
			Username: "x-token-auth", Password: strings.Repeat("t", 2600), // Cloud tokens exceed 2.5 KB
			PasswordExpiry: time.Unix(1700000000, 0), State: []string{"bitbucket:seen=0123456789abcdef"},
		}},
		{"bearer", &gitcred.Response{
			AuthType: "Bearer", Credential: strings.Repeat("t", 44), PasswordExpiry: time.Unix(1700000000, 0),
		}},
		{"token60KB", &gitcred.Response{Username: "x-token-auth", Password: strings.Repeat("t", 60<<10)}},
	}
	for _, bc := range responses {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := gitcred.Write(io.Discard, req, bc.resp); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkBaselineSplitLines is the floor Read is compared with (make bench prints ratios):
// splitting the same input into key/value pairs with bufio.Scanner and strings.Cut, with none
// of Read's validation.
func BenchmarkBaselineSplitLines(b *testing.B) {
	for _, bc := range benchRequests {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.in)))
			var r strings.Reader
			for b.Loop() {
				r.Reset(bc.in)
				sc := bufio.NewScanner(&r)
				sc.Buffer(make([]byte, 0, 4096), gitcred.MaxLineLength+1)
				m := map[string]string{}
				for sc.Scan() {
					k, v, _ := strings.Cut(sc.Text(), "=")
					m[k] = v
				}
				if sc.Err() != nil {
					b.Fatal(sc.Err())
				}
			}
		})
	}
}
