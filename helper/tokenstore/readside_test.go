//go:build unix

package tokenstore

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestWritableDirRefusedNotRemoded: a state directory others can write to
// (/tmp's 1777 included) is refused with one line and keeps its mode,
// sticky bit and all, for every writer (Open, Put, Lock). Fails on the code
// that chmodded it to 0700.
func TestWritableDirRefusedNotRemoded(t *testing.T) {
	t.Parallel()
	for _, mode := range []fs.FileMode{0o777 | fs.ModeSticky, 0o770, 0o702} {
		t.Run(mode.String(), func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "state")
			if err := os.Mkdir(dir, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(dir, mode); err != nil {
				t.Fatal(err)
			}
			_, openErr := Open(dir)
			putErr := (&Store{Dir: dir}).Put(testRecord("alice", "t"))
			_, lockErr := (&Store{Dir: dir}).Lock(context.Background(), testRecord("alice", "t").Key)
			for name, err := range map[string]error{"Open": openErr, "Put": putErr, "Lock": lockErr} {
				if err == nil || !strings.Contains(err.Error(), "writable by other users") || strings.Contains(err.Error(), "\n") {
					t.Errorf("%s: error %v; want one line saying others can write there", name, err)
				}
			}
			fi, err := os.Stat(dir)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode()&(fs.ModePerm|fs.ModeSticky) != mode {
				t.Errorf("mode after the refusal = %v, want %v untouched", fi.Mode(), mode)
			}
			if _, err := os.Stat(filepath.Join(dir, fileName)); err == nil {
				t.Error("a store file was written into the refused directory")
			}
		})
	}
}

// TestReadSideChecks: every read (List, Get, Find: the CLI's fast path,
// status and erase) refuses a store file that is a symbolic link, not a
// regular file, writable by others or owned by another user, as the write
// side does. Fails on the code that read tokens.json with os.ReadFile.
func TestReadSideChecks(t *testing.T) {
	t.Parallel()
	planted := []byte(`{"version":1,"records":[{"key":{"protocol":"https","host":"bitbucket.org"},"access_token":"planted-token","updated":"2026-01-01T00:00:00Z"}]}`)
	tests := []struct {
		name  string
		plant func(t *testing.T, path string)
		want  string
	}{
		{"symlink", func(t *testing.T, path string) {
			elsewhere := filepath.Join(t.TempDir(), "other.json")
			writeFile(t, elsewhere, planted, 0o600)
			if err := os.Symlink(elsewhere, path); err != nil {
				t.Fatal(err)
			}
		}, "symbolic link"},
		{"fifo", func(t *testing.T, path string) {
			if err := syscall.Mkfifo(path, 0o600); err != nil {
				t.Fatal(err)
			}
		}, "not a regular file"},
		{"group writable", func(t *testing.T, path string) {
			writeFile(t, path, planted, 0o660)
		}, "writable by other users"},
		{"another user's", func(t *testing.T, path string) {
			if os.Getuid() != 0 {
				t.Skip("needs root to give a file to another user")
			}
			writeFile(t, path, planted, 0o600)
			if err := os.Chown(path, 4242, 4242); err != nil {
				t.Fatal(err)
			}
		}, "belongs to uid 4242"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			tt.plant(t, filepath.Join(dir, fileName))
			s := &Store{Dir: dir}
			recs, listErr := s.List()
			rec, findErr := s.Find("https", "bitbucket.org", "", "")
			for name, err := range map[string]error{"List": listErr, "Find": findErr} {
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("%s: error %v, want one naming %q", name, err, tt.want)
				}
			}
			if recs != nil || rec != nil {
				t.Errorf("the planted store served records: %v %v", recs, rec)
			}
		})
	}
}

func writeFile(t *testing.T, path string, data []byte, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, data, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}
