package front

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

var now0 = time.Date(2026, 5, 4, 12, 0, 0, 0, time.UTC)

// delegated records what the front handed to the full helper.
type delegated struct {
	called  bool
	args    []string
	request []byte
}

func (d *delegated) full(args []string, request []byte) int {
	d.called, d.args, d.request = true, args, request
	return 7
}

func storeWith(t *testing.T, recs ...*tokenstore.Record) []string {
	t.Helper()
	dir := t.TempDir()
	st, err := tokenstore.Open(filepath.Join(dir, "state"))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if err := st.Put(r); err != nil {
			t.Fatal(err)
		}
	}
	return []string{"GIT_CREDENTIAL_BITBUCKET_STATE_DIR=" + st.Dir, "HOME=" + dir}
}

func record(expiry time.Time) *tokenstore.Record {
	return &tokenstore.Record{Key: tokenstore.Key{Protocol: "https", Host: "bitbucket.org"}, Kind: "cloud", Grant: "authorization-code",
		GitUsername: "x-token-auth", AccessToken: "stored-access-token", RefreshToken: "stored-refresh-token", Expiry: expiry, Updated: now0, RefreshUsed: now0}
}

const request = "protocol=https\nhost=bitbucket.org\n\n"

// TestFrontAnswersFromTheStore: a fresh stored token is git's answer with
// no delegation; the refresh token never goes to git.
func TestFrontAnswersFromTheStore(t *testing.T) {
	t.Parallel()
	env := storeWith(t, record(now0.Add(time.Hour)))
	var d delegated
	var out bytes.Buffer
	if code := Run([]string{"get"}, strings.NewReader(request), &out, env, now0, d.full); code != 0 || d.called {
		t.Fatalf("exit %d, delegated %t", code, d.called)
	}
	if want := "username=x-token-auth\npassword=stored-access-token\n"; !strings.HasPrefix(out.String(), want) || strings.Contains(out.String(), "refresh") {
		t.Errorf("answer %q, want it to start %q", out.String(), want)
	}
	// authtype=Bearer where the record asks for it and git can take it.
	env = append(env, "GIT_CREDENTIAL_BITBUCKET_AUTHTYPE=Bearer")
	out.Reset()
	Run([]string{"get"}, strings.NewReader("capability[]=authtype\nprotocol=https\nhost=bitbucket.org\n"), &out, env, now0, d.full)
	if !strings.Contains(out.String(), "authtype=Bearer\ncredential=stored-access-token\n") {
		t.Errorf("bearer answer %q", out.String())
	}
}

// TestFrontDelegates: everything the store cannot answer goes to the full
// helper, with exactly the bytes the front read.
func TestFrontDelegates(t *testing.T) {
	t.Parallel()
	fresh := storeWith(t, record(now0.Add(time.Hour)))
	expired := storeWith(t, record(now0.Add(-time.Minute)))
	keyring := storeWith(t)
	ks := &tokenstore.Store{Dir: strings.TrimPrefix(keyring[0], "GIT_CREDENTIAL_BITBUCKET_STATE_DIR="), Keyring: mapKeyring{}, SecretsTo: tokenstore.SecretsInKeyring}
	if err := ks.Put(record(now0.Add(time.Hour))); err != nil {
		t.Fatal(err)
	}
	big := "wwwauth[]=Bearer realm=\"" + strings.Repeat("x", 900<<10) + "\"\n" + request
	tests := []struct {
		name    string
		args    []string
		env     []string
		stdin   string
		readsIn bool // the front read the request and passes it on
	}{
		{"expired", []string{"get"}, expired, request, true},
		{"no store", []string{"get"}, storeWith(t), request, true},
		{"another host", []string{"get"}, fresh, "protocol=https\nhost=example.org\n", true},
		{"a large request", []string{"get"}, expired, big, true},
		{"malformed", []string{"get"}, fresh, "protocol=https\nhost\n", true},
		{"over the size limit", []string{"get"}, fresh, strings.Repeat("a=b\n", 300<<10), true},
		{"secrets in the keyring", []string{"get"}, keyring, request, true},
		{"trace", []string{"get"}, append(fresh, "GIT_CREDENTIAL_BITBUCKET_TRACE=1"), request, false},
		{"trace file", []string{"get"}, append(fresh, "GIT_CREDENTIAL_BITBUCKET_TRACE=/tmp/x"), request, false},
		{"test clock", []string{"get"}, append(fresh, "GIT_CREDENTIAL_BITBUCKET_CLOCK_OFFSET=1h"), request, false},
		{"store", []string{"store"}, fresh, request, false},
		{"erase", []string{"erase"}, fresh, request, false},
		{"a user command", []string{"status", "https://bitbucket.org"}, fresh, "", false},
		{"no arguments", nil, fresh, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var d delegated
			var out bytes.Buffer
			code := Run(tt.args, strings.NewReader(tt.stdin), &out, tt.env, now0, d.full)
			if !d.called || code != 7 || out.Len() != 0 {
				t.Fatalf("exit %d, delegated %t, stdout %q", code, d.called, out.String())
			}
			if strings.Join(d.args, " ") != strings.Join(tt.args, " ") {
				t.Errorf("args %q, want %q", d.args, tt.args)
			}
			want := tt.stdin
			if len(want) > 1<<20+1 {
				want = want[:1<<20+1] // the full helper refuses it from these bytes alike
			}
			if tt.readsIn && string(d.request) != want {
				t.Errorf("passed on %d bytes, want the %d read", len(d.request), len(want))
			}
			if !tt.readsIn && d.request != nil {
				t.Errorf("read %d bytes of stdin it should have left to the full helper", len(d.request))
			}
		})
	}
}

// TestFullPath: the full helper is found beside the front, through a
// symbolic link to the front, and never elsewhere.
func TestFullPath(t *testing.T) {
	t.Parallel()
	install := t.TempDir()
	front, full := filepath.Join(install, "git-credential-bitbucket-fast"), filepath.Join(install, fullName)
	for _, p := range []string{front, full} {
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := FullPath(front); err != nil || got != full {
		t.Errorf("FullPath(front) = %q, %v; want %q", got, err, full)
	}
	onPath := filepath.Join(t.TempDir(), "git-credential-bitbucket-fast")
	if err := os.Symlink(front, onPath); err != nil {
		t.Fatal(err)
	}
	if got, err := FullPath(onPath); err != nil || got != full {
		t.Errorf("FullPath(link) = %q, %v; want %q", got, err, full)
	}
	alone := filepath.Join(t.TempDir(), "git-credential-bitbucket-fast")
	if got, err := FullPath(alone); err == nil || !strings.Contains(err.Error(), "install both") {
		t.Errorf("FullPath(alone) = %q, %v; want an error naming the fix", got, err)
	}
}

// mapKeyring is an OS keyring in memory (the front never reads one).
type mapKeyring map[string]string

func (m mapKeyring) Set(service, user, secret string) error { m[service+"/"+user] = secret; return nil }
func (m mapKeyring) Get(service, user string) (string, error) {
	if v, ok := m[service+"/"+user]; ok {
		return v, nil
	}
	return "", tokenstore.ErrKeyringNotFound
}
func (m mapKeyring) Delete(service, user string) error { delete(m, service+"/"+user); return nil }
