package tokenstore

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// keyringStore is a store in a fresh directory whose secrets go to kr.
func keyringStore(t *testing.T, kr Keyring) *Store {
	t.Helper()
	s := newStore(t)
	s.Keyring, s.SecretsTo = kr, SecretsInKeyring
	return s
}

// assertNoSecrets fails when tokens.json holds any of the given secrets.
func assertNoSecrets(t *testing.T, s *Store, secret ...string) {
	t.Helper()
	data, err := os.ReadFile(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range secret {
		if strings.Contains(string(data), v) {
			t.Errorf("tokens.json holds secret %d", i)
		}
	}
}

// TestKeyringRoundTrip: with SecretsTo=keyring, a record with
// 2026-sized Cloud tokens (docs/bitbucket-behaviour.md#cloud-2026) and OAuth 1 secrets round-trips, each
// keyring item within Windows' limit, and tokens.json keeps only metadata.
func TestKeyringRoundTrip(t *testing.T) {
	t.Parallel()
	kr := newLimitedKeyring(windowsBlobLimit)
	s := keyringStore(t, kr)
	rec := testRecord("alice", bigToken("at", 2700))
	rec.RefreshToken = bigToken("rt", 6000)
	rec.OAuth1Token, rec.OAuth1TokenSecret = "o1-token", "o1-secret"
	if err := s.Put(rec); err != nil {
		t.Fatal(err)
	}
	assertNoSecrets(t, s, rec.AccessToken, rec.RefreshToken, rec.OAuth1Token, rec.OAuth1TokenSecret)
	// A reader needs no setting: the record says where its secrets are.
	got, err := (&Store{Dir: s.Dir, Keyring: kr}).Get(rec.Key)
	if err != nil {
		t.Fatal(err)
	}
	want := *rec
	want.SecretsIn = SecretsInKeyring
	if diff := cmp.Diff(&want, got); diff != "" {
		t.Errorf("record (-want +got):\n%s", diff)
	}
	if items := kr.users(); len(items) < 5 || items[0] != rec.Key.String() {
		t.Errorf("keyring items %q: want %s and its parts", items, rec.Key)
	}
}

// TestKeyringKeepsOtherRecords: a put for one key keeps the keyring
// secrets of another intact (the writer never reads or rewrites them), and
// a copy written with no SecretsTo stays in the keyring.
func TestKeyringKeepsOtherRecords(t *testing.T) {
	t.Parallel()
	kr := newLimitedKeyring(windowsBlobLimit)
	s := keyringStore(t, kr)
	a, b := testRecord("alice", bigToken("a", 2600)), testRecord("bob", bigToken("b", 2600))
	for _, r := range []*Record{a, b} {
		if err := s.Put(r); err != nil {
			t.Fatal(err)
		}
	}
	plain := &Store{Dir: s.Dir, Keyring: kr}
	cur, err := plain.Get(b.Key)
	if err != nil {
		t.Fatal(err)
	}
	cur.AccessToken = bigToken("b2", 2600)
	if err := plain.Put(cur); err != nil {
		t.Fatal(err)
	}
	assertNoSecrets(t, s, a.AccessToken, cur.AccessToken, cur.RefreshToken)
	recs, err := plain.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || recs[0].AccessToken != a.AccessToken || recs[0].RefreshToken != a.RefreshToken || recs[1].AccessToken != cur.AccessToken {
		t.Errorf("records after the second put do not hold the secrets put")
	}
}

// TestKeyringMigration: a record kept in the file (before the keyring
// existed) still reads; the next put with SecretsTo=keyring moves its
// secrets to the keyring, and one with SecretsTo=file moves them back and
// removes the keyring item.
func TestKeyringMigration(t *testing.T) {
	t.Parallel()
	kr := newLimitedKeyring(windowsBlobLimit)
	s := newStore(t)
	rec := testRecord("alice", bigToken("at", 2500))
	if err := s.Put(rec); err != nil {
		t.Fatal(err)
	}
	ks := &Store{Dir: s.Dir, Keyring: kr, SecretsTo: SecretsInKeyring}
	got, err := ks.Get(rec.Key)
	if err != nil || got == nil || got.AccessToken != rec.AccessToken || got.SecretsIn != "" {
		t.Fatalf("file record read with SecretsTo=keyring: %v, %v", got, err)
	}
	if err := ks.Put(got); err != nil {
		t.Fatal(err)
	}
	assertNoSecrets(t, s, rec.AccessToken, rec.RefreshToken)
	if len(kr.users()) == 0 {
		t.Fatal("keyring empty after the put with SecretsTo=keyring")
	}
	fs := &Store{Dir: s.Dir, Keyring: kr, SecretsTo: SecretsInFile}
	got, err = fs.Get(rec.Key)
	if err != nil || got.AccessToken != rec.AccessToken {
		t.Fatalf("keyring record: %v, %v", got, err)
	}
	if err := fs.Put(got); err != nil {
		t.Fatal(err)
	}
	if items := kr.users(); len(items) != 0 {
		t.Errorf("keyring items %q left after moving back to the file", items)
	}
	if got, err := (&Store{Dir: s.Dir}).Get(rec.Key); err != nil || got.AccessToken != rec.AccessToken || got.SecretsIn != "" {
		t.Errorf("back in the file: %v, %v", got, err)
	}
}

// TestKeyringDelete: Delete removes the record and every keyring item;
// a put of a record without secrets leaves no item either.
func TestKeyringDelete(t *testing.T) {
	t.Parallel()
	kr := newLimitedKeyring(windowsBlobLimit)
	s := keyringStore(t, kr)
	a, b := testRecord("alice", bigToken("a", 6000)), testRecord("bob", "short")
	for _, r := range []*Record{a, b} {
		if err := s.Put(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Delete(a.Key); err != nil {
		t.Fatal(err)
	}
	if items := kr.users(); !slices.Equal(items, []string{b.Key.String()}) {
		t.Errorf("items after delete %q, want only %s", items, b.Key)
	}
	b.AccessToken, b.RefreshToken = "", ""
	if err := s.Put(b); err != nil {
		t.Fatal(err)
	}
	if items := kr.users(); len(items) != 0 {
		t.Errorf("items after a put without secrets %q", items)
	}
	if got, err := s.Get(b.Key); err != nil || got == nil || got.AccessToken != "" {
		t.Errorf("record without secrets: %v, %v", got, err)
	}
}

// failingKeyring answers nothing.
type failingKeyring struct{}

var errNoKeyring = errors.New("the OS keyring did not answer")

func (failingKeyring) Set(string, string, string) error   { return errNoKeyring }
func (failingKeyring) Get(string, string) (string, error) { return "", errNoKeyring }
func (failingKeyring) Delete(string, string) error        { return errNoKeyring }

// TestKeyringUnavailable: a keyring that does not answer is an error for
// reads and writes of keyring records (never an empty record that a login
// would replace), and a failed put leaves the file as it was.
func TestKeyringUnavailable(t *testing.T) {
	t.Parallel()
	kr := newLimitedKeyring(windowsBlobLimit)
	s := keyringStore(t, kr)
	rec := testRecord("alice", "tok")
	if err := s.Put(rec); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(s.Path())
	down := &Store{Dir: s.Dir, Keyring: failingKeyring{}, SecretsTo: SecretsInKeyring}
	var ke *KeyringError
	if _, err := down.List(); !errors.As(err, &ke) || ke.Op != "read" || !errors.Is(err, errNoKeyring) {
		t.Errorf("List with the keyring down: %v", err)
	}
	rec.AccessToken = "tok2"
	if err := down.Put(rec); !errors.As(err, &ke) || ke.Op != "write" {
		t.Errorf("Put with the keyring down: %v", err)
	}
	if after, _ := os.ReadFile(s.Path()); string(after) != string(before) {
		t.Error("a failed put changed tokens.json")
	}
	if err := down.Delete(rec.Key); !errors.As(err, &ke) || ke.Op != "delete" {
		t.Errorf("Delete with the keyring down: %v", err)
	}
}
