package tokenstore

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
)

// secretInFile appears in the damaged files below; no error may quote it.
const secretInFile = "SECRET-TOKEN-VALUE"

func validFile(t *testing.T) []byte {
	t.Helper()
	s := newStore(t)
	r := testRecord("alice", secretInFile+bigToken("x", 4096))
	if err := s.Put(r); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestCorruptStoreIsReportedAndUntouched(t *testing.T) {
	t.Parallel()
	valid := validFile(t)
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"truncated", valid[:len(valid)/2]},
		{"truncated after token", valid[:bytes.Index(valid, []byte(secretInFile))+len(secretInFile)+10]},
		{"garbage", []byte("\x00\x01" + secretInFile)},
		{"unquoted token", []byte(`{"version":1,"records":[{"access_token":` + secretInFile + `}]}`)},
		{"null", []byte("null")},
		{"array", []byte(`[{"access_token":"` + secretInFile + `"}]`)},
		{"no version", []byte(`{"records":[]}`)},
		{"version zero", []byte(`{"version":0,"records":[]}`)},
		{"version is a string", []byte(`{"version":"1","records":[]}`)},
		{"records not a list", []byte(`{"version":1,"records":{"a":1}}`)},
		{"token is a number", []byte(`{"version":1,"records":[{"key":{"protocol":"https","host":"h"},"access_token":12345678}]}`)},
		{"bad time", []byte(`{"version":1,"records":[{"key":{"protocol":"https","host":"h"},"expiry":"` + secretInFile + `"}]}`)},
		{"null record", []byte(`{"version":1,"records":[null]}`)},
		{"no host", []byte(`{"version":1,"records":[{"key":{"protocol":"https"},"access_token":"` + secretInFile + `"}]}`)},
		{"duplicate key", []byte(`{"version":1,"records":[{"key":{"protocol":"https","host":"h"}},{"key":{"protocol":"https","host":"h"}}]}`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newStore(t)
			if err := os.WriteFile(s.Path(), tt.data, 0o600); err != nil {
				t.Fatal(err)
			}
			checkRefused(t, s, tt.data, func(err error) {
				var ce *corruptError
				if !errors.As(err, &ce) {
					t.Fatalf("error %q is not a *CorruptError", err)
				}
				if ce.Path != s.Path() {
					t.Errorf("CorruptError.Path = %q, want %q", ce.Path, s.Path())
				}
				if msg := err.Error(); !strings.Contains(msg, s.Path()) || !strings.Contains(msg, "corrupt") {
					t.Errorf("error %q does not name the file and say it is corrupt", msg)
				}
			})
		})
	}
}

func TestNewerSchemaIsRefusedAndUntouched(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	data := []byte(`{"version":2,"records":[{"key":{"protocol":"https","host":"bitbucket.org"},"access_token":"` + secretInFile + `","new_field":{}}],"extra":true}`)
	if err := os.WriteFile(s.Path(), data, 0o600); err != nil {
		t.Fatal(err)
	}
	checkRefused(t, s, data, func(err error) {
		var ve *versionError
		if !errors.As(err, &ve) {
			t.Fatalf("error %q is not a *VersionError", err)
		}
		if ve.Version != 2 || ve.Supported != schemaVersion || ve.Path != s.Path() {
			t.Errorf("VersionError = %+v, want version 2, supported %d, path %s", ve, schemaVersion, s.Path())
		}
		if want := "written by a newer git-credential-bitbucket (schema 2"; !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	})
}

// checkRefused runs every operation on s, whose file holds data: each must
// fail with an error that check accepts and that quotes no secret, and the
// file must keep its exact bytes.
func checkRefused(t *testing.T, s *Store, data []byte, check func(error)) {
	t.Helper()
	k := Key{Protocol: "https", Host: "bitbucket.org", Username: "alice"}
	ops := map[string]func() error{
		"Get":    func() error { _, err := s.Get(k); return err },
		"Find":   func() error { _, err := s.Find("https", "bitbucket.org", "", ""); return err },
		"List":   func() error { _, err := s.List(); return err },
		"Put":    func() error { return s.Put(testRecord("bob", "new-token")) },
		"Delete": func() error { return s.Delete(k) },
		"Delete absent": func() error {
			return s.Delete(Key{Protocol: "https", Host: "absent"})
		},
	}
	for name, op := range ops {
		err := op()
		if err == nil {
			t.Errorf("%s succeeded on a damaged store", name)
			continue
		}
		if strings.Contains(err.Error(), secretInFile) || strings.Contains(err.Error(), "new-token") {
			t.Errorf("%s error quotes a token: %q", name, err)
		}
		check(err)
		after, rerr := os.ReadFile(s.Path())
		if rerr != nil {
			t.Fatal(rerr)
		}
		if !bytes.Equal(after, data) {
			t.Fatalf("%s changed the damaged store file", name)
		}
	}
	if _, err := Open(s.Dir); err != nil {
		t.Errorf("Open of a store with a damaged file = %v; want nil (reported on use)", err)
	}
}
