package gitconfig

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCovers(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		pattern, remote string
		want            bool
	}{
		{"https://bb.example.com", "https://bb.example.com", true},
		{"https://BB.Example.com:443/", "https://bb.example.com", true},
		{"https://bb.example.com", "https://bb.example.com/bitbucket", true},
		{"https://bb.example.com/bitbucket", "https://bb.example.com/bitbucket", true},
		{"https://bb.example.com/bitbucket", "https://bb.example.com", false},
		{"https://bb.example.com/bit", "https://bb.example.com/bitbucket", false},
		{"https://*.example.com", "https://bb.example.com", true},
		{"https://*.example.com", "https://a.bb.example.com", false},
		{"https://bb.example.com", "http://bb.example.com", false},
		{"https://bb.example.com", "https://bb.example.com:8443", false},
		{"https://bb.example.com", "https://bb.example.com.evil.test", false},
		{"https://alice@bb.example.com", "https://bb.example.com", false},
		{"bb.example.com", "https://bb.example.com", false},
	} {
		remote, err := url.Parse(tt.remote)
		if err != nil {
			t.Fatal(err)
		}
		if got := Covers(tt.pattern, remote); got != tt.want {
			t.Errorf("Covers(%q, %q) = %t, want %t", tt.pattern, tt.remote, got, tt.want)
		}
	}
}

func TestEnvURLs(t *testing.T) {
	t.Parallel()
	us, err := EnvURLs([]string{URLEnv + "= https://a.test ,http://127.0.0.1:7990/bitbucket,"})
	if err != nil || len(us) != 2 || us[0].Host != "a.test" || us[1].Path != "/bitbucket" {
		t.Errorf("EnvURLs = %v, %v", us, err)
	}
	for _, bad := range []string{"a.test", "ftp://a.test", "https://u@a.test", "https://a.test/?x=1", "https://"} {
		if _, err := EnvURLs([]string{URLEnv + "=" + bad}); err == nil {
			t.Errorf("EnvURLs(%q) succeeded", bad)
		}
	}
	if us, err := EnvURLs(nil); us != nil || err != nil {
		t.Errorf("unset: %v, %v", us, err)
	}
}

// TestEntries: names and origins of every bitbucket.* key, URL-scoped or
// not, from one git call; values are not read.
func TestEntries(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	global := filepath.Join(dir, "gitconfig")
	env := []string{"HOME=" + dir, "PATH=" + os.Getenv("PATH"), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=" + global}
	for _, kv := range [][2]string{{"bitbucket.https://bb.example.com/bitbucket.grant", "oauth1"}, {"bitbucket.clientSecret", "s"}, {"http.extraHeader", "x"}} {
		cmd := exec.Command("git", "config", "--global", kv[0], kv[1])
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
	}
	got, err := Entries(context.Background(), "", env)
	if err != nil {
		t.Fatal(err)
	}
	want := []Entry{
		{URL: "https://bb.example.com/bitbucket", Var: "grant", Origin: "file:" + global},
		{Var: "clientsecret", Origin: "file:" + global},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Entries (-want +got):\n%s", diff)
	}
}
