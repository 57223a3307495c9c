package tokenstore

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// chunkSize is the most bytes of a secret one keyring item holds. Windows'
// Credential Manager caps a credential blob at 2,560 bytes
// (CRED_MAX_CREDENTIAL_BLOB_SIZE, 5 × 512; go-keyring refuses more with
// ErrSetDataTooBig, and Git Credential Manager failed with 0x6f7 on exactly
// this), and go-keyring on macOS sends the secret base64-encoded inside one
// `security -i` command line of at most 4,096 bytes. 2,048 bytes (2,732 in
// base64) fits both with room for the service and account names. Cloud
// access tokens are 2,000–2,700 characters since 2026 (docs/bitbucket-behaviour.md#cloud-2026) and a
// record may hold two of them: most records take two or three chunks.
const chunkSize = 2048

// chunkHeader starts the value of an item whose secret is split: the rest is
// "<parts>:<checksum>", the parts living in items "<user>#1" ... "<user>#N".
// Secret payloads are JSON objects, so they never start with it.
const chunkHeader = "git-credential-bitbucket-chunks:v1:"

// chunkReadTries bounds the re-reads when a reader meets a half-rewritten
// secret (readers take no lock; the writer replaces the header last).
const chunkReadTries = 3

// chunker stores values of any size in a Keyring, split into items of at
// most size bytes. Writers are serialized by the store lock; readers are
// not, and detect a torn read by the checksum in the header.
type chunker struct {
	kr      Keyring
	service string
	size    int
}

func partUser(user string, i int) string { return user + "#" + strconv.Itoa(i) }

// checksum is a short digest of value, to detect a torn multi-item read.
func checksum(value string) string {
	sum := sha256.Sum256([]byte(value))
	return hex.EncodeToString(sum[:8])
}

// set stores value under user: the value itself when it fits one item,
// else its parts first and then a header naming them, so a reader never
// follows a header to parts that are not written yet. Parts left over from
// a longer previous value are removed afterwards.
func (c chunker) set(user, value string) error {
	oldParts, _, _ := c.header(user) // unreadable or absent: nothing to sweep
	parts := 0
	if len(value) <= c.size {
		if err := c.kr.Set(c.service, user, value); err != nil {
			return err
		}
	} else {
		for start := 0; start < len(value); start += c.size {
			parts++
			if err := c.kr.Set(c.service, partUser(user, parts), value[start:min(start+c.size, len(value))]); err != nil {
				return err
			}
		}
		head := chunkHeader + strconv.Itoa(parts) + ":" + checksum(value)
		if err := c.kr.Set(c.service, user, head); err != nil {
			return err
		}
	}
	return c.deleteParts(user, parts+1, oldParts)
}

// get returns the value stored under user (ErrKeyringNotFound when none).
func (c chunker) get(user string) (string, error) {
	var err error
	for range chunkReadTries {
		var v string
		if v, err = c.getOnce(user); !errors.Is(err, errTornRead) {
			return v, err
		}
	}
	return "", fmt.Errorf("keyring item %q: %w", user, err)
}

var errTornRead = errors.New("its parts do not match their checksum")

func (c chunker) getOnce(user string) (string, error) {
	v, err := c.kr.Get(c.service, user)
	if err != nil || !strings.HasPrefix(v, chunkHeader) {
		return v, err
	}
	n, sum, err := parseHeader(v)
	if err != nil {
		return "", fmt.Errorf("keyring item %q: %w", user, err)
	}
	var b strings.Builder
	for i := 1; i <= n; i++ {
		p, err := c.kr.Get(c.service, partUser(user, i))
		if errors.Is(err, ErrKeyringNotFound) {
			return "", errTornRead // being rewritten (or damaged: see get)
		}
		if err != nil {
			return "", err
		}
		b.WriteString(p)
	}
	if checksum(b.String()) != sum {
		return "", errTornRead
	}
	return b.String(), nil
}

// header returns the number of parts and the checksum of a split value,
// zero parts for a value kept whole.
func (c chunker) header(user string) (int, string, error) {
	v, err := c.kr.Get(c.service, user)
	if err != nil || !strings.HasPrefix(v, chunkHeader) {
		return 0, "", err
	}
	return parseHeader(v)
}

func parseHeader(v string) (int, string, error) {
	count, sum, ok := strings.Cut(strings.TrimPrefix(v, chunkHeader), ":")
	n, err := strconv.Atoi(count)
	if !ok || err != nil || n < 1 || n > 1000 || sum == "" {
		return 0, "", errors.New("malformed chunk header")
	}
	return n, sum, nil
}

// delete removes the value stored under user and all its parts; an absent
// value is not an error.
func (c chunker) delete(user string) error {
	parts, _, err := c.header(user)
	if errors.Is(err, ErrKeyringNotFound) {
		return nil
	}
	if err := c.kr.Delete(c.service, user); err != nil && !errors.Is(err, ErrKeyringNotFound) {
		return err
	}
	return c.deleteParts(user, 1, parts)
}

// deleteParts removes parts from..to of user's value, absent ones included.
func (c chunker) deleteParts(user string, from, to int) error {
	for i := from; i <= to; i++ {
		if err := c.kr.Delete(c.service, partUser(user, i)); err != nil && !errors.Is(err, ErrKeyringNotFound) {
			return err
		}
	}
	return nil
}
