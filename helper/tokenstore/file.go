package tokenstore

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// schemaVersion is the version of the store file this package writes, and the
// newest it reads.
const schemaVersion = 1

const (
	fileName     = "tokens.json"
	lockFileName = "tokens.lock"
	locksDirName = "locks"
	tempPrefix   = "." + fileName + ".tmp-"
)

// Path returns the store file's path.
func (s *Store) Path() string { return filepath.Join(s.Dir, fileName) }

// load reads the store file and the secrets its records keep in the
// keyring.
func (s *Store) load() ([]*Record, error) {
	recs, err := s.loadFile()
	if err != nil {
		return nil, err
	}
	if err := s.readSecrets(recs); err != nil {
		return nil, err
	}
	return recs, nil
}

// loadFile reads and decodes the store file; a missing file holds no
// records. Secrets kept in the keyring are not read.
func (s *Store) loadFile() ([]*Record, error) {
	if s.Dir == "" {
		return nil, errors.New("token store: no directory set")
	}
	p := s.Path()
	data, err := readChecked(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return decode(p, data)
}

// readChecked reads the store file with the checks the write side makes
// (issue 10, point 5), on the file actually opened so that nothing can be
// swapped in between: not through a symbolic link (openNoFollow), a
// regular file, owned by the current user, writable by nobody else. A
// store planted by another user would otherwise serve that user's tokens.
// One open and one fstat: the fast path pays nothing more.
func readChecked(p string) ([]byte, error) {
	f, err := openNoFollow(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if isSymlinkErr(err) {
		return nil, fmt.Errorf("token store %s is a symbolic link: refusing to read it", p)
	}
	if err != nil {
		return nil, fmt.Errorf("read token store: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("read token store: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("token store %s is not a regular file: refusing to read it", p)
	}
	if err := checkOwner(p, fi); err != nil {
		return nil, err
	}
	if sharedBits(fi)&0o022 != 0 {
		return nil, fmt.Errorf("token store %s is writable by other users (mode %04o): refusing to read it; check who changed it, then chmod 600 it", p, fi.Mode().Perm())
	}
	// Sized from the fstat, as os.ReadFile does: one read for the file.
	buf := bytes.NewBuffer(make([]byte, 0, fi.Size()+512))
	if _, err := buf.ReadFrom(f); err != nil {
		return nil, fmt.Errorf("read token store: %w", err)
	}
	return buf.Bytes(), nil
}

// decode parses a store file. Errors describe the damage by position and
// field name only, never by quoting content.
func decode(path string, data []byte) ([]*Record, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &corruptError{Path: path, Reason: "empty file"}
	}
	// Fast path: one pass over a well-formed current file.
	var whole struct {
		Version *int      `json:"version"`
		Records []*Record `json:"records"`
	}
	if err := json.Unmarshal(data, &whole); err == nil && whole.Version != nil && *whole.Version == schemaVersion {
		return validate(path, whole.Records)
	}
	// Anything else: parse the envelope first, so that a newer schema is
	// reported as such even when its records do not parse as ours.
	var head struct {
		Version *int            `json:"version"`
		Records json.RawMessage `json:"records"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, &corruptError{Path: path, Reason: describeJSONError(err)}
	}
	if head.Version == nil {
		return nil, &corruptError{Path: path, Reason: "no schema version"}
	}
	if v := *head.Version; v > schemaVersion {
		return nil, &versionError{Path: path, Version: v, Supported: schemaVersion}
	} else if v < 1 {
		return nil, &corruptError{Path: path, Reason: fmt.Sprintf("unknown schema version %d", v)}
	}
	var recs []*Record
	if len(head.Records) > 0 {
		if err := json.Unmarshal(head.Records, &recs); err != nil {
			return nil, &corruptError{Path: path, Reason: "records: " + describeJSONError(err)}
		}
	}
	return validate(path, recs)
}

// validate checks the records of a parsed file.
func validate(path string, recs []*Record) ([]*Record, error) {
	seen := make(map[Key]bool, len(recs))
	for i, r := range recs {
		if r == nil {
			return nil, &corruptError{Path: path, Reason: fmt.Sprintf("record %d is null", i)}
		}
		if r.Key.Protocol == "" || r.Key.Host == "" {
			return nil, &corruptError{Path: path, Reason: fmt.Sprintf("record %d has no protocol or host", i)}
		}
		if seen[r.Key] {
			return nil, &corruptError{Path: path, Reason: fmt.Sprintf("record %d repeats key %s", i, r.Key)}
		}
		seen[r.Key] = true
	}
	return recs, nil
}

func describeJSONError(err error) string {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return fmt.Sprintf("invalid or truncated JSON at byte %d", syntax.Offset)
	case errors.As(err, &typ):
		if typ.Field == "" {
			return "not a JSON object"
		}
		return fmt.Sprintf("field %q has the wrong type", typ.Field)
	default:
		// Other errors (a time that does not parse, for one) may quote
		// the offending value: describe them without it.
		return "malformed value"
	}
}

// update runs the read-modify-write of a Put or Delete under the store-wide
// lock. fn reports whether it changed anything; nothing is written when it
// did not, nor when the file cannot be read, nor when fn fails. after runs,
// still under the lock, once the new file is in place. The secrets other
// records keep in the keyring are neither read nor written: the file keeps
// only their metadata.
func (s *Store) update(fn func([]*Record) ([]*Record, bool, error), after func() error) error {
	if s.Dir == "" {
		return errors.New("token store: no directory set")
	}
	if err := ensureDir(s.Dir); err != nil {
		return err
	}
	unlock, err := s.lockStore()
	if err != nil {
		return err
	}
	defer unlock()
	recs, err := s.loadFile()
	if err != nil {
		return err
	}
	recs, changed, err := fn(recs)
	if err != nil || !changed {
		return err
	}
	s.removeStaleTemps()
	if err := s.save(recs); err != nil {
		return err
	}
	return after()
}

// save replaces the store file atomically: temporary file in the same
// directory, fsync, rename, fsync of the directory. Callers hold the store
// lock.
func (s *Store) save(recs []*Record) error {
	slices.SortFunc(recs, func(a, b *Record) int { return compareKeys(a.Key, b.Key) })
	data, err := encode(recs)
	if err != nil {
		return err
	}

	f, err := os.CreateTemp(s.Dir, tempPrefix+"*") // mode 0600
	if err != nil {
		return fmt.Errorf("write token store: %w", err)
	}
	tmp := f.Name()
	renamed := false
	defer func() {
		if !renamed {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	if _, err := f.Write(data); err != nil {
		return fmt.Errorf("write token store: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("write token store: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write token store: %w", err)
	}
	if s.beforeRename != nil {
		s.beforeRename()
	}
	if err := os.Rename(tmp, s.Path()); err != nil {
		return fmt.Errorf("write token store: %w", err)
	}
	renamed = true
	if err := syncDir(s.Dir); err != nil {
		return fmt.Errorf("write token store: %w", err)
	}
	return nil
}

// encode renders the store file with one record per line: compact, cheap
// to write, and still readable and diffable by a person.
func encode(recs []*Record) ([]byte, error) {
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "{\"version\":%d,\"records\":[", schemaVersion)
	for i, r := range recs {
		b, err := json.Marshal(r.metadataOnly())
		if err != nil {
			return nil, fmt.Errorf("encode token store: %w", err)
		}
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteString("\n")
		buf.Write(b)
	}
	buf.WriteString("\n]}\n")
	return buf.Bytes(), nil
}

// removeStaleTemps deletes temporary files left by writers that died before
// their rename. Callers hold the store lock, so no live writer owns one.
func (s *Store) removeStaleTemps() {
	entries, err := os.ReadDir(s.Dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), tempPrefix) && e.Type().IsRegular() {
			_ = os.Remove(filepath.Join(s.Dir, e.Name()))
		}
	}
}

func compareKeys(a, b Key) int {
	return cmp.Or(
		cmp.Compare(a.Protocol, b.Protocol),
		cmp.Compare(a.Host, b.Host),
		cmp.Compare(a.Path, b.Path),
		cmp.Compare(a.Username, b.Username),
	)
}
