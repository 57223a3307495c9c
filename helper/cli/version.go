package cli

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// Build is what a release build stamps into the binary with
// -ldflags "-X main.version=… -X main.commit=… -X main.date=…" (see the
// Makefile's dist target); the main package hands it to App. Empty fields
// are filled from the Go build info: `go install …@v1.2.3` records the
// module version, a build from a checkout the VCS revision and time.
type Build struct {
	Version string // v1.2.3, or a git describe
	Commit  string // full revision
	Date    string // RFC 3339, UTC
}

// filled returns b with empty fields taken from the Go build info.
func (b Build) filled(bi *debug.BuildInfo, ok bool) Build {
	if !ok {
		return b
	}
	if b.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		b.Version = bi.Main.Version
	}
	for _, s := range bi.Settings {
		switch {
		case s.Key == "vcs.revision" && b.Commit == "":
			b.Commit = s.Value
		case s.Key == "vcs.time" && b.Date == "":
			b.Date = s.Value
		}
	}
	return b
}

// versionLine is the `version` output: version, commit, build date, Go
// version and platform, for example
//
//	git-credential-bitbucket v1.2.0 (commit 0123abcd…, built 2026-12-03T12:00:00Z, go1.26.0 linux/amd64)
func versionLine(b Build, goVersion string) string {
	v, commit, date := b.Version, b.Commit, b.Date
	if v == "" {
		v = "devel"
	}
	if commit == "" {
		commit = "unknown"
	}
	if date == "" {
		date = "unknown"
	}
	return fmt.Sprintf("git-credential-bitbucket %s (commit %s, built %s, %s %s/%s)\n",
		v, commit, date, goVersion, runtime.GOOS, runtime.GOARCH)
}

func (r *run) version(args []string) int {
	b := r.app.Build
	if r.app.Version != "" {
		b.Version = r.app.Version
	}
	bi, ok := debug.ReadBuildInfo()
	io.WriteString(r.stdout, versionLine(b.filled(bi, ok), runtime.Version()))
	return exitOK
}
