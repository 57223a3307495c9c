package cli

import (
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestBuildFilledFromBuildInfo(t *testing.T) {
	t.Parallel()
	info := &debug.BuildInfo{
		Main: debug.Module{Path: "github.com/bbcred/git-credential-bitbucket", Version: "v1.4.0"},
		Settings: []debug.BuildSetting{
			{Key: "vcs", Value: "git"},
			{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
			{Key: "vcs.time", Value: "2026-12-01T10:00:00Z"},
		},
	}
	devel := *info
	devel.Main.Version = "(devel)"
	tests := []struct {
		name  string
		stamp Build
		info  *debug.BuildInfo
		ok    bool
		want  Build
	}{
		{"ldflags win", Build{Version: "v2.0.0", Commit: "feedface", Date: "2026-12-03T00:00:00Z"}, info, true,
			Build{Version: "v2.0.0", Commit: "feedface", Date: "2026-12-03T00:00:00Z"}},
		{"go install @version", Build{}, info, true,
			Build{Version: "v1.4.0", Commit: "0123456789abcdef0123456789abcdef01234567", Date: "2026-12-01T10:00:00Z"}},
		{"checkout build", Build{}, &devel, true,
			Build{Commit: "0123456789abcdef0123456789abcdef01234567", Date: "2026-12-01T10:00:00Z"}},
		{"no build info", Build{Version: "v3"}, nil, false, Build{Version: "v3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, tt.stamp.filled(tt.info, tt.ok)); diff != "" {
				t.Errorf("filled (-want +got):\n%s", diff)
			}
		})
	}
}

func TestVersionLine(t *testing.T) {
	t.Parallel()
	plat := runtime.GOOS + "/" + runtime.GOARCH
	tests := []struct {
		b    Build
		want string
	}{
		{Build{Version: "v1.2.0", Commit: "abc123", Date: "2026-12-03T12:00:00Z"},
			"git-credential-bitbucket v1.2.0 (commit abc123, built 2026-12-03T12:00:00Z, go1.26.0 " + plat + ")\n"},
		{Build{}, "git-credential-bitbucket devel (commit unknown, built unknown, go1.26.0 " + plat + ")\n"},
	}
	for _, tt := range tests {
		if got := versionLine(tt.b, "go1.26.0"); got != tt.want {
			t.Errorf("versionLine(%+v) = %q, want %q", tt.b, got, tt.want)
		}
	}
}

func TestVersionCommandPrintsStamp(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.app.Version = ""
	h.app.Build = Build{Version: "v9.9.9", Commit: "c0ffee", Date: "2026-12-03T00:00:00Z"}
	for _, arg := range []string{"version", "--version"} {
		stdout, _, code := h.run("", nil, arg)
		want := "git-credential-bitbucket v9.9.9 (commit c0ffee, built 2026-12-03T00:00:00Z, " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH + ")\n"
		if code != 0 || stdout != want {
			t.Errorf("%s: exit %d stdout %q, want %q", arg, code, stdout, want)
		}
	}
}
