package tokenstore

import "fmt"

// corruptError reports a store file that cannot be read as a store: invalid
// or truncated JSON, no schema version, malformed records. Reason describes
// the damage without quoting the file's contents, so it never carries a
// token. Every operation returns it and none rewrites the file; the user
// moves the file aside to start over.
type corruptError struct {
	Path   string
	Reason string
}

func (e *corruptError) Error() string {
	return fmt.Sprintf("token store %s is corrupt (%s); it was left untouched: move it aside to start over", e.Path, e.Reason)
}

// versionError reports a store file written with a schema newer than this
// program understands. The file is neither read nor rewritten.
type versionError struct {
	Path      string
	Version   int // found in the file
	Supported int // newest this program reads (schemaVersion)
}

func (e *versionError) Error() string {
	return fmt.Sprintf("token store %s was written by a newer git-credential-bitbucket (schema %d, this one understands up to %d); it was left untouched", e.Path, e.Version, e.Supported)
}
