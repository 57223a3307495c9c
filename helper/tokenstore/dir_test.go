package tokenstore

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPermissions(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permission bits on Windows")
	}
	s := newStore(t)
	if err := s.Put(testRecord("alice", "t")); err != nil {
		t.Fatal(err)
	}
	unlock, err := s.Lock(t.Context(), Key{Protocol: "https", Host: "bitbucket.org"})
	if err != nil {
		t.Fatal(err)
	}
	unlock()
	lockFiles, err := filepath.Glob(filepath.Join(s.Dir, locksDirName, "*.lock"))
	if err != nil || len(lockFiles) != 1 {
		t.Fatalf("key lock files = %v, %v; want one", lockFiles, err)
	}
	want := map[string]os.FileMode{
		s.Dir:                              os.ModeDir | 0o700,
		s.Path():                           0o600,
		filepath.Join(s.Dir, lockFileName): 0o600,
		filepath.Join(s.Dir, locksDirName): os.ModeDir | 0o700,
		lockFiles[0]:                       0o600,
	}
	got := map[string]os.FileMode{}
	for p := range want {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		got[p] = fi.Mode()
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("modes (-want +got):\n%s", diff)
	}
}

// TestOpenLeavesDirModesAlone: a store directory the helper did not
// create keeps its mode (a group-readable one is used as is); only the
// store file the helper wrote is tightened. Fails on the code that
// chmodded any existing directory to 0700.
func TestOpenLeavesDirModesAlone(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permission bits on Windows")
	}
	dir := filepath.Join(t.TempDir(), "store")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil { // whatever the umask
		t.Fatal(err)
	}
	file := filepath.Join(dir, fileName)
	if err := os.WriteFile(file, []byte(`{"version":1,"records":[]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(file, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]os.FileMode{dir: 0o755, file: 0o600} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("mode of %s = %v, want %v", p, got, want)
		}
	}
}

func TestOpenRefusesNonDirectory(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(p, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(p); err == nil {
		t.Error("Open of a regular file succeeded, want an error")
	}
	if _, err := Open(""); err == nil {
		t.Error("Open of an empty path succeeded, want an error")
	}
}

func TestZeroStoreCreatesDirOnWrite(t *testing.T) {
	t.Parallel()
	s := &Store{Dir: filepath.Join(t.TempDir(), "a", "b")}
	if got, err := s.List(); err != nil || got != nil {
		t.Fatalf("List before the directory exists = %v, %v; want nil, nil", got, err)
	}
	if err := s.Put(testRecord("alice", "t")); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(s.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o700 {
		t.Errorf("mode of created directory = %v, want 0700", fi.Mode().Perm())
	}
	if _, err := (&Store{}).List(); err == nil {
		t.Error("List on a Store without Dir succeeded, want an error")
	}
}

func TestDefaultDir(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		goos    string
		env     []string
		want    string
		wantErr bool
	}{
		{"home", "linux", []string{"HOME=/home/u"}, "/home/u/.local/state/git-credential-bitbucket", false},
		{"xdg", "linux", []string{"HOME=/home/u", "XDG_STATE_HOME=/xdg/state"}, "/xdg/state/git-credential-bitbucket", false},
		{"relative xdg ignored", "linux", []string{"HOME=/home/u", "XDG_STATE_HOME=rel"}, "/home/u/.local/state/git-credential-bitbucket", false},
		{"empty xdg ignored", "linux", []string{"HOME=/home/u", "XDG_STATE_HOME="}, "/home/u/.local/state/git-credential-bitbucket", false},
		{"override", "linux", []string{"HOME=/home/u", "XDG_STATE_HOME=/x", stateDirEnv + "=/srv/tokens/"}, "/srv/tokens", false},
		{"last entry wins", "linux", []string{"HOME=/first", "HOME=/second"}, "/second/.local/state/git-credential-bitbucket", false},
		{"relative override", "linux", []string{"HOME=/home/u", stateDirEnv + "=tokens"}, "", true},
		{"no home", "linux", []string{"PATH=/bin"}, "", true},
		{"relative home", "linux", []string{"HOME=home"}, "", true},
		{"nil env", "linux", nil, "", true},
		{"macos home", "darwin", []string{"HOME=/Users/u"}, "/Users/u/Library/Application Support/git-credential-bitbucket", false},
		{"macos xdg", "darwin", []string{"HOME=/Users/u", "XDG_STATE_HOME=/Users/u/.local/state"}, "/Users/u/.local/state/git-credential-bitbucket", false},
		{"macos override", "darwin", []string{"HOME=/Users/u", stateDirEnv + "=/srv/t"}, "/srv/t", false},
		{"macos no home", "darwin", nil, "", true},
		{"windows no localappdata", "windows", []string{"HOME=/home/u", "XDG_STATE_HOME=/x"}, "", true},
	}
	if runtime.GOOS == "windows" {
		// Windows paths are only absolute on Windows; there the Unix rows'
		// paths are not, so only the Windows rows run.
		tests = []struct {
			name    string
			goos    string
			env     []string
			want    string
			wantErr bool
		}{
			{"localappdata", "windows", []string{`LOCALAPPDATA=C:\Users\u\AppData\Local`}, `C:\Users\u\AppData\Local\git-credential-bitbucket`, false},
			{"name in any case", "windows", []string{`LocalAppData=C:\L`}, `C:\L\git-credential-bitbucket`, false},
			{"xdg ignored", "windows", []string{`LOCALAPPDATA=C:\L`, `XDG_STATE_HOME=C:\X`}, `C:\L\git-credential-bitbucket`, false},
			{"override", "windows", []string{`LOCALAPPDATA=C:\L`, stateDirEnv + `=D:\t`}, `D:\t`, false},
			{"relative localappdata", "windows", []string{`LOCALAPPDATA=L`}, "", true},
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := defaultDir(tt.goos, tt.env)
			if (err != nil) != tt.wantErr {
				t.Fatalf("defaultDir(%s) error = %v, wantErr %v", tt.goos, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("defaultDir(%s) = %q, want %q", tt.goos, got, tt.want)
			}
		})
	}
	if _, err := DefaultDir([]string{stateDirEnv + "=rel"}); err == nil {
		t.Error("DefaultDir with a relative override succeeded")
	}
}

func TestDeleteOnMissingStoreCreatesNothing(t *testing.T) {
	t.Parallel()
	s := &Store{Dir: filepath.Join(t.TempDir(), "absent")}
	if err := s.Delete(Key{Protocol: "https", Host: "bitbucket.org"}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(s.Dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Delete on a missing store: directory stat = %v, want it absent", err)
	}
}
