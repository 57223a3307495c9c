package mockserver

import (
	"os"
	"path/filepath"
	"testing"
)

func TestCoreLoopbackAddr(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{"", "127.0.0.1:0", false},
		{"127.0.0.1:8080", "127.0.0.1:8080", false},
		{"localhost:0", "127.0.0.1:0", false},
		{"[::1]:0", "[::1]:0", false},
		{"127.1.2.3:0", "127.1.2.3:0", false},
		{":0", "", true},
		{"0.0.0.0:0", "", true},
		{"10.0.0.1:80", "", true},
		{"bitbucket.org:443", "", true},
		{"127.0.0.1", "", true},
	}
	for _, tt := range tests {
		got, err := loopbackAddr(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("loopbackAddr(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

// TestFixtureRepositories: New creates the fixture repositories under
// the repository root.
func TestFixtureRepositories(t *testing.T) {
	t.Parallel()
	m, err := New(Options{ReposDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	for _, repo := range []string{"cloud/acme/widgets.git", "server/proj/widgets.git"} {
		if _, err := os.Stat(filepath.Join(m.core.ReposDir(), repo, "HEAD")); err != nil {
			t.Errorf("fixture repository missing: %v", err)
		}
	}
}
