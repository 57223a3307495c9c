package tokenstore

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var lockKey = Key{Protocol: "https", Host: "bitbucket.org", Username: "alice"}

func TestLockExcludesUntilUnlocked(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	unlock, err := s.Lock(t.Context(), lockKey)
	if err != nil {
		t.Fatal(err)
	}
	// A second Store value on the same directory, as another process or
	// another part of this one would have.
	other := &Store{Dir: s.Dir}
	acquired := make(chan func(), 1)
	go func() {
		u, err := other.Lock(t.Context(), lockKey)
		if err != nil {
			t.Error(err)
			close(acquired)
			return
		}
		acquired <- u
	}()
	select {
	case <-acquired:
		t.Fatal("second Lock acquired while the first was held")
	case <-time.After(150 * time.Millisecond):
	}
	unlock()
	unlock() // idempotent
	select {
	case u, ok := <-acquired:
		if ok {
			u()
		}
	case <-time.After(10 * time.Second):
		t.Fatal("second Lock not acquired after unlock")
	}
}

func TestLockRespectsContext(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	unlock, err := s.Lock(t.Context(), lockKey)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()

	t.Run("deadline", func(t *testing.T) {
		start := time.Now()
		ctx, cancel := context.WithTimeout(t.Context(), 80*time.Millisecond)
		defer cancel()
		_, err := s.Lock(ctx, lockKey)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Lock error = %v, want DeadlineExceeded", err)
		}
		if d := time.Since(start); d < 80*time.Millisecond || d > 5*time.Second {
			t.Errorf("Lock gave up after %v, want about 80ms", d)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if _, err := s.Lock(ctx, lockKey); !errors.Is(err, context.Canceled) {
			t.Fatalf("Lock error = %v, want Canceled", err)
		}
	})
	t.Run("other key is free", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		other := lockKey
		other.Username = "bob"
		u, err := s.Lock(ctx, other)
		if err != nil {
			t.Fatalf("Lock of another key: %v", err)
		}
		u()
	})
	t.Run("store stays writable", func(t *testing.T) {
		if err := s.Put(&Record{Key: lockKey, AccessToken: "t"}); err != nil {
			t.Fatalf("Put while the key is locked: %v", err)
		}
	})
}

// TestLockSerializesGoroutines has goroutines, each with its own Store
// value, do Lock + Get + Put of a counter: exclusion must hold within one
// process, and no increment may be lost.
func TestLockSerializesGoroutines(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	const workers, rounds = 8, 10
	var holders atomic.Int32
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			st := &Store{Dir: s.Dir}
			for range rounds {
				if err := incrementCounter(t.Context(), st, func() {
					if n := holders.Add(1); n != 1 {
						t.Errorf("%d holders of the key lock at once", n)
					}
					time.Sleep(time.Millisecond)
					holders.Add(-1)
				}); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if got := readCounter(t, s); got != workers*rounds {
		t.Errorf("counter = %d, want %d", got, workers*rounds)
	}
}

// incrementCounter adds one to the counter kept in lockKey's record, under
// the key lock; inside runs while the lock is held.
func incrementCounter(ctx context.Context, s *Store, inside func()) error {
	unlock, err := s.Lock(ctx, lockKey)
	if err != nil {
		return err
	}
	defer unlock()
	inside()
	r, err := s.Get(lockKey)
	if err != nil {
		return err
	}
	n := 0
	if r != nil {
		if n, err = strconv.Atoi(r.Account); err != nil {
			return err
		}
	} else {
		r = &Record{Key: lockKey}
	}
	r.Account = strconv.Itoa(n + 1)
	r.AccessToken = "token-" + r.Account
	return s.Put(r)
}

func readCounter(t *testing.T, s *Store) int {
	t.Helper()
	r, err := s.Get(lockKey)
	if err != nil {
		t.Fatal(err)
	}
	if r == nil {
		return 0
	}
	n, err := strconv.Atoi(r.Account)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
