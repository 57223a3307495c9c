package main_test

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bbcred/git-credential-bitbucket/mockserver"
)

// TestBinaryWriteKeys: `fixtures --write-keys DIR` writes every test key
// and secret of the fixtures with mode 0600 into a 0700 DIR, prints the
// paths, replaces files a second run finds (tightening their mode), and
// the application-link keys parse as RSA keys.
func TestBinaryWriteKeys(t *testing.T) {
	t.Parallel()
	bin := buildMock(t)
	dir := filepath.Join(t.TempDir(), "keys")
	run := func() []string {
		t.Helper()
		out, err := exec.Command(bin, "fixtures", "--write-keys", dir).Output()
		if err != nil {
			t.Fatalf("fixtures --write-keys: %v", err)
		}
		return strings.Fields(string(out))
	}
	paths := run()
	f := mockserver.DefaultFixtures()
	want := map[string]string{
		"dc-link-" + mockserver.TestLinkConsumerKey + ".pem":       mockserver.TestLinkPrivateKeyPEM(),
		"dc-link-" + mockserver.Test3LOLinkConsumerKey + ".pem":    mockserver.Test3LOLinkPrivateKeyPEM(),
		"dc-oauth2-" + mockserver.TestDCOAuth2ClientID + ".secret": f.Server.OAuth2Clients[0].ClientSecret + "\n",
		"cloud-consumer-mock-private.secret":                       "mock-private-secret-TEST-ONLY\n",
		"cloud-connect-mock-connect-app.secret":                    "mock-connect-shared-secret-TEST-ONLY\n",
	}
	if len(paths) != len(f.Server.ApplicationLinks)+len(f.Server.OAuth2Clients)+len(f.Cloud.Consumers)+len(f.Cloud.ConnectApps) {
		t.Errorf("wrote %d files: %v", len(paths), paths)
	}
	got := map[string]string{}
	for _, p := range paths {
		if filepath.Dir(p) != dir {
			t.Errorf("path %q not in %q", p, dir)
		}
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", p, st.Mode().Perm())
		}
		b, _ := os.ReadFile(p)
		if _, ok := want[filepath.Base(p)]; ok {
			got[filepath.Base(p)] = string(b)
		}
		if strings.HasSuffix(p, ".pem") {
			blk, _ := pem.Decode(b)
			if blk == nil {
				t.Fatalf("%s: no PEM block", p)
			}
			_, err1 := x509.ParsePKCS8PrivateKey(blk.Bytes)
			_, err2 := x509.ParsePKCS1PrivateKey(blk.Bytes)
			if err1 != nil && err2 != nil {
				t.Errorf("%s: not an RSA private key: %v; %v", p, err1, err2)
			}
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("file contents (-want +got):\n%s", diff)
	}
	if st, err := os.Stat(dir); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("dir mode: %v %v, want 0700", st.Mode().Perm(), err)
	}
	os.Chmod(paths[0], 0o644)
	if again := run(); !cmp.Equal(again, paths) {
		t.Errorf("second run printed %v, want %v", again, paths)
	}
	if st, _ := os.Stat(paths[0]); st.Mode().Perm() != 0o600 {
		t.Errorf("rewritten %s: mode %v, want 0600", paths[0], st.Mode().Perm())
	}
}

// TestBinaryListCloneURLs: `fixtures --list` prints every fixture
// repository's clone URL under the given base URLs, and the public ones
// answer git ls-remote on a running mock without credentials.
func TestBinaryListCloneURLs(t *testing.T) {
	t.Parallel()
	bin := buildMock(t)
	out, err := exec.Command(bin, "fixtures", "--list").Output()
	if err != nil {
		t.Fatalf("fixtures --list: %v", err)
	}
	wantDefault := `cloud  private $CLOUD/acme/widgets.git
cloud  public  $CLOUD/acme/public-repo.git
cloud  private $CLOUD/alice/notes.git
server private $SERVER/scm/proj/widgets.git
server public  $SERVER/scm/pub/open.git
`
	if diff := cmp.Diff(wantDefault, string(out)); diff != "" {
		t.Errorf("--list (-want +got):\n%s", diff)
	}

	cloud, server, stop := startBinary(t, bin, "--auto-approve")
	defer stop(os.Interrupt)
	out, err = exec.Command(bin, "fixtures", "--list", "--cloud-url", cloud, "--server-url", server+"/").Output()
	if err != nil {
		t.Fatalf("fixtures --list --cloud-url: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 5 {
		t.Fatalf("--list printed %q", out)
	}
	for _, l := range lines {
		fields := strings.Fields(l)
		resp, err := http.Get(fields[2] + "/info/refs?service=git-upload-pack")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		// Private repositories (and DC ones: anonymous access is off) ask
		// for credentials; an unknown one would be 404.
		if want := map[bool]int{true: 401, false: 200}[fields[1] == "private" || fields[0] == "server"]; resp.StatusCode != want {
			t.Errorf("%s: info/refs %d, want %d", fields[2], resp.StatusCode, want)
		}
		if fields[0] != "cloud" || fields[1] != "public" {
			continue
		}
		cmd := exec.Command("git", "ls-remote", fields[2])
		cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "GIT_CONFIG_NOSYSTEM=1", "HOME="+t.TempDir())
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if refs, err := cmd.Output(); err != nil || !strings.Contains(string(refs), "refs/heads/main") {
			t.Errorf("git ls-remote %s: %v %q %s", fields[2], err, refs, stderr.String())
		}
	}
}
