package tokenstore

import (
	"fmt"
	"os"
	"testing"
)

// benchStore returns a store holding n Cloud-sized records.
func benchStore(b *testing.B, n int) *Store {
	b.Helper()
	s, err := Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	for i := range n {
		r := testRecord(fmt.Sprintf("user%02d", i), bigToken(fmt.Sprint(i), 3000))
		r.RefreshToken = bigToken(fmt.Sprint("r", i), 100)
		if err := s.Put(r); err != nil {
			b.Fatal(err)
		}
	}
	return s
}

// BenchmarkBaselineReadFile reads the bytes of a 50-record store file and
// nothing more: the floor under BenchmarkGet, which `make bench` divides by.
func BenchmarkBaselineReadFile(b *testing.B) {
	s := benchStore(b, 50)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := os.ReadFile(s.Path()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGet is the fast path of `get`: one lock-free read of a store
// with 50 records.
func BenchmarkGet(b *testing.B) {
	s := benchStore(b, 50)
	k := testRecord("user25", "").Key
	b.ReportAllocs()
	for b.Loop() {
		r, err := s.Get(k)
		if err != nil || r == nil {
			b.Fatalf("Get = %v, %v", r, err)
		}
	}
}

// BenchmarkPut replaces one record of a store with 50: lock, read, write a
// temporary file, fsync, rename, fsync the directory.
func BenchmarkPut(b *testing.B) {
	s := benchStore(b, 50)
	r := testRecord("user25", bigToken("new", 3000))
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Put(r); err != nil {
			b.Fatal(err)
		}
	}
}
