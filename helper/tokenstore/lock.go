package tokenstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/gofrs/flock"
)

const defaultWriteLockTimeout = 30 * time.Second

// lockKey implements Store.Lock: an exclusive flock(2) on
// locks/<hash of k>.lock. Lock files are never removed: removing one while
// another process waits on it would let two holders in.
func (s *Store) lockKey(ctx context.Context, k Key) (func(), error) {
	if s.Dir == "" {
		return nil, errors.New("token store: no directory set")
	}
	if err := ensureDir(s.Dir); err != nil {
		return nil, err
	}
	dir := filepath.Join(s.Dir, locksDirName)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("lock %s: %w", k, err)
	}
	unlock, err := s.flock(ctx, filepath.Join(dir, keyLockName(k)))
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", k, err)
	}
	return unlock, nil
}

// lockStore takes the store-wide writer lock, waiting at most
// WriteLockTimeout.
func (s *Store) lockStore() (func(), error) {
	timeout := s.WriteLockTimeout
	if timeout <= 0 {
		timeout = defaultWriteLockTimeout
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	unlock, err := s.flock(ctx, filepath.Join(s.Dir, lockFileName))
	if errors.Is(err, context.DeadlineExceeded) {
		return nil, fmt.Errorf("token store %s: another process has held the write lock for over %s", s.Dir, timeout)
	}
	if err != nil {
		return nil, fmt.Errorf("token store: lock: %w", err)
	}
	return unlock, nil
}

// flock takes an exclusive lock on path, waiting until ctx is done. Each
// call opens the file anew, so the lock also excludes other goroutines of
// this process. The wait is a blocking flock(2), so the kernel wakes a
// waiter the moment the holder lets go (polling let a busy writer starve
// others under load); when ctx ends first the wait is abandoned, and a lock
// that arrives after that is let go at once.
func (s *Store) flock(ctx context.Context, path string) (func(), error) {
	fl := flock.New(path, flock.SetPermissions(0o600))
	ok, err := fl.TryLock()
	if err != nil {
		return nil, err
	}
	if !ok {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		done := make(chan error, 1)
		go func() { done <- fl.Lock() }()
		select {
		case err := <-done:
			if err != nil {
				return nil, err
			}
		case <-ctx.Done():
			go func() {
				if <-done == nil {
					_ = fl.Unlock()
				}
			}()
			return nil, ctx.Err()
		}
	}
	var once sync.Once
	return func() { once.Do(func() { _ = fl.Unlock() }) }, nil
}

// keyLockName names the lock file of k by a hash, so any key maps to a safe
// file name.
func keyLockName(k Key) string {
	b, _ := json.Marshal(k) // a struct of strings always encodes
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:16]) + ".lock"
}
