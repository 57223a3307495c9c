package cli

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bbcred/git-credential-bitbucket/mockserver"
)

// TestConfigureValidates: configure refuses, without contacting a server
// and without writing any config, what get would refuse later, with the
// message get gives.
func TestConfigureValidates(t *testing.T) {
	t.Parallel()
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	smallPEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(small)})
	goodPEM := []byte(mockserver.TestLinkPrivateKeyPEM())
	tests := []struct {
		name     string
		key      []byte // written to key.pem when non-nil
		keyMode  os.FileMode
		args     []string
		wantCode int
		want     string
	}{
		{name: "plain http to a remote host", args: []string{"http://git.corp.test/bitbucket", "--grant", "oauth2", "--client-id", "c"},
			wantCode: exitFail, want: "refusing to send a token over plain http to http://git.corp.test/bitbucket: use https"},
		{name: "plain http to loopback is fine", key: goodPEM, keyMode: 0o600,
			args: []string{"http://127.0.0.1:7990/bitbucket", "--grant", "oauth1-2lo", "--consumer-key", "k", "--private-key-file", "KEY"}},
		{name: "key too open", key: goodPEM, keyMode: 0o644,
			args: []string{"https://git.corp.test", "--grant", "oauth1-2lo", "--consumer-key", "k", "--private-key-file", "KEY"}, wantCode: exitFail, want: "too open"},
		{name: "key too small", key: smallPEM, keyMode: 0o600,
			args: []string{"https://git.corp.test", "--grant", "oauth1", "--consumer-key", "k", "--private-key-file", "KEY"}, wantCode: exitFail, want: "RSA key has 1024 bits; at least 2048 are required"},
		{name: "key unparsable", key: []byte("not a key\n"), keyMode: 0o600,
			args: []string{"https://git.corp.test", "--grant", "oauth1", "--consumer-key", "k", "--private-key-file", "KEY"}, wantCode: exitFail, want: "no PEM block found"},
		{name: "server grant on cloud", args: []string{"https://bitbucket.org", "--grant", "oauth1", "--kind", "cloud"},
			wantCode: exitUsage, want: "--grant oauth1 is not a grant of --kind cloud (one of authorization-code, client-credentials, jwt, static)"},
		{name: "cloud grant on datacenter", args: []string{"https://git.corp.test", "--grant", "jwt", "--kind", "datacenter"},
			wantCode: exitUsage, want: "--grant jwt is not a grant of --kind datacenter"},
		{name: "server grant on bitbucket.org", args: []string{"https://bitbucket.org", "--grant", "oauth2", "--client-id", "c"},
			wantCode: exitUsage, want: "--grant oauth2 is a Bitbucket Server/Data Center grant and bitbucket.org is Bitbucket Cloud: use one of authorization-code, client-credentials, jwt, static"},
		{name: "cloud grant elsewhere without --kind", args: []string{"https://git.corp.test", "--grant", "client-credentials", "--client-id", "c"},
			wantCode: exitUsage, want: "--grant client-credentials is a Bitbucket Cloud grant and git.corp.test is not bitbucket.org: give --kind cloud for a Cloud-compatible server (such as bitbucket-mock)"},
		{name: "oauth1 on datacenter is fine", key: goodPEM, keyMode: 0o600,
			args: []string{"https://git.corp.test", "--grant", "oauth1", "--kind", "datacenter", "--consumer-key", "k", "--private-key-file", "KEY"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.app.Executable = "/usr/local/bin/git-credential-bitbucket"
			args := append([]string{"configure"}, tt.args...)
			if tt.key != nil {
				p := filepath.Join(h.dir, "key.pem")
				if err := os.WriteFile(p, tt.key, tt.keyMode); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(p, tt.keyMode); err != nil {
					t.Fatal(err)
				}
				for i, a := range args {
					if a == "KEY" {
						args[i] = p
					}
				}
			}
			before, _ := os.ReadFile(filepath.Join(h.dir, "gitconfig"))
			_, stderr, code := h.run("", nil, args...)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.wantCode, stderr)
			}
			if tt.want == "" {
				return
			}
			if !strings.Contains(stderr, tt.want) || strings.Count(stderr, "\n") != 1 {
				t.Errorf("stderr %q, want one line with %q", stderr, tt.want)
			}
			after, _ := os.ReadFile(filepath.Join(h.dir, "gitconfig"))
			if string(after) != string(before) {
				t.Errorf("refused configure changed the git config:\n%s", after)
			}
		})
	}
}
