package tokenstore

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
)

// windowsBlobLimit is CRED_MAX_CREDENTIAL_BLOB_SIZE: the most bytes the
// Windows Credential Manager keeps in one credential, and what go-keyring's
// Windows Set checks (len(password) > 2560 is ErrSetDataTooBig).
const windowsBlobLimit = 2560

// errTooBig is what go-keyring returns for an item over the platform limit.
var errTooBig = errors.New("data passed to Set was too big")

// limitedKeyring is an in-memory keyring that refuses items larger than
// limit bytes, as Windows' Credential Manager does through go-keyring.
type limitedKeyring struct {
	limit int
	mu    sync.Mutex
	items map[string]string // service + "\x00" + user
}

func newLimitedKeyring(limit int) *limitedKeyring {
	return &limitedKeyring{limit: limit, items: map[string]string{}}
}

func (k *limitedKeyring) Set(service, user, secret string) error {
	if len(secret) > k.limit {
		return errTooBig
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.items[service+"\x00"+user] = secret
	return nil
}

func (k *limitedKeyring) Get(service, user string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	v, ok := k.items[service+"\x00"+user]
	if !ok {
		return "", ErrKeyringNotFound
	}
	return v, nil
}

func (k *limitedKeyring) Delete(service, user string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, ok := k.items[service+"\x00"+user]; !ok {
		return ErrKeyringNotFound
	}
	delete(k.items, service+"\x00"+user)
	return nil
}

func (k *limitedKeyring) users() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []string
	for _, key := range slices.Sorted(maps.Keys(k.items)) {
		_, user, _ := strings.Cut(key, "\x00")
		out = append(out, user)
	}
	return out
}

// token is a token-like secret of n bytes that differs at every position.
func token(n int) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "%x.", i)
	}
	return b.String()[:n]
}

// TestChunkSizeFitsWindows: the chunk size leaves every item within the
// Windows blob limit, and within macOS's 4,096-byte `security -i` command
// line once base64-encoded with go-keyring's prefix.
func TestChunkSizeFitsWindows(t *testing.T) {
	t.Parallel()
	if chunkSize > windowsBlobLimit {
		t.Errorf("ChunkSize %d > Windows' limit %d", chunkSize, windowsBlobLimit)
	}
	if b64 := len("go-keyring-base64:") + (chunkSize+2)/3*4; b64+512 > 4096 {
		t.Errorf("a chunk is %d bytes in base64: too close to macOS's 4,096-byte command", b64)
	}
}

// TestChunkRoundTrip: values of any size round-trip through a keyring
// that refuses items over Windows' limit; larger ones are split, and every
// item stays within the limit.
func TestChunkRoundTrip(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 2000, windowsBlobLimit - 1, windowsBlobLimit, windowsBlobLimit + 1, 2700, 6000, 3 * windowsBlobLimit} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			t.Parallel()
			kr := newLimitedKeyring(windowsBlobLimit)
			c := chunker{kr: kr, service: KeyringService, size: windowsBlobLimit}
			v := token(n)
			if err := c.set("u", v); err != nil {
				t.Fatalf("set %d bytes: %v", n, err)
			}
			got, err := c.get("u")
			if err != nil || got != v {
				t.Fatalf("get: %d bytes, err %v; want the %d bytes set", len(got), err, n)
			}
			wantItems := 1
			if n > windowsBlobLimit {
				wantItems += (n + windowsBlobLimit - 1) / windowsBlobLimit
			}
			if items := kr.users(); len(items) != wantItems {
				t.Errorf("items %q, want %d", items, wantItems)
			}
		})
	}
}

// TestChunkWithoutSplittingFails: the limited keyring does refuse a
// 6,000-byte item, so the round trip above proves the splitting.
func TestChunkWithoutSplittingFails(t *testing.T) {
	t.Parallel()
	if err := newLimitedKeyring(windowsBlobLimit).Set(KeyringService, "u", token(6000)); !errors.Is(err, errTooBig) {
		t.Fatalf("set of 6,000 bytes: %v, want too big", err)
	}
}

// TestChunkShrinkAndDelete: a shorter value removes the parts of a longer
// one; delete removes every item.
func TestChunkShrinkAndDelete(t *testing.T) {
	t.Parallel()
	kr := newLimitedKeyring(windowsBlobLimit)
	c := chunker{kr: kr, service: KeyringService, size: chunkSize}
	if err := c.set("u", token(6000)); err != nil {
		t.Fatal(err)
	}
	if got := kr.users(); !slices.Equal(got, []string{"u", "u#1", "u#2", "u#3"}) {
		t.Fatalf("after 6,000 bytes: items %q", got)
	}
	if err := c.set("u", token(100)); err != nil {
		t.Fatal(err)
	}
	if got := kr.users(); !slices.Equal(got, []string{"u"}) {
		t.Fatalf("after 100 bytes: items %q, want only u", got)
	}
	if err := c.set("u", token(5000)); err != nil {
		t.Fatal(err)
	}
	if err := c.delete("u"); err != nil {
		t.Fatal(err)
	}
	if got := kr.users(); len(got) != 0 {
		t.Fatalf("after delete: items %q", got)
	}
	if _, err := c.get("u"); !errors.Is(err, ErrKeyringNotFound) {
		t.Fatalf("get after delete: %v, want not found", err)
	}
	if err := c.delete("u"); err != nil {
		t.Fatalf("delete of nothing: %v", err)
	}
}

// TestChunkTornRead: parts that do not match the header's checksum (a
// reader racing a writer, or damage) are an error, never a wrong secret.
func TestChunkTornRead(t *testing.T) {
	t.Parallel()
	kr := newLimitedKeyring(windowsBlobLimit)
	c := chunker{kr: kr, service: KeyringService, size: chunkSize}
	if err := c.set("u", token(5000)); err != nil {
		t.Fatal(err)
	}
	if err := kr.Set(KeyringService, "u#2", strings.Repeat("x", chunkSize)); err != nil {
		t.Fatal(err)
	}
	if v, err := c.get("u"); !errors.Is(err, errTornRead) || v != "" {
		t.Fatalf("get of torn value: %d bytes, %v; want errTornRead", len(v), err)
	}
	if err := kr.Delete(KeyringService, "u#3"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.get("u"); !errors.Is(err, errTornRead) {
		t.Fatalf("get with a part missing: %v; want errTornRead", err)
	}
}
