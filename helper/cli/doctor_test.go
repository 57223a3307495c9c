package cli

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

// doctorHarness is a harness whose HTTP client sends every request for
// any host to one TLS test server that answers with a Date skew behind
// the harness clock.
func doctorHarness(t *testing.T, skew time.Duration) *harness {
	t.Helper()
	h := newHarness(t, "credential.https://"+testHost+".helper", "bitbucket")
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", testNow.Add(-skew).UTC().Format(http.TimeFormat))
		w.WriteHeader(http.StatusUnauthorized)
	}))
	t.Cleanup(srv.Close)
	client := srv.Client()
	tr := client.Transport.(*http.Transport).Clone()
	tr.TLSClientConfig.ServerName = "example.com" // httptest's certificate names example.com
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, srv.Listener.Addr().String())
	}
	h.app.HTTP = &http.Client{Transport: tr}
	exe, err := os.Executable() // an executable file for whatever git would run
	if err != nil {
		t.Fatal(err)
	}
	h.app.LookPath = func(string) (string, error) { return exe, nil }
	h.prov.obtain = func(prev *tokenstore.Record, login bool) (*tokenstore.Record, error) {
		return record("tok-doctor-123", "", time.Hour), nil
	}
	h.prov.accountN = "app user ci"
	return h
}

func TestDoctorJSONAndClock(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		skew       time.Duration
		wantCode   int
		wantStatus string
		wantMsg    string
	}{
		{"in step", 0, exitOK, checkOK, "this machine's clock agrees with the server's within"},
		{"two minutes ahead", 2 * time.Minute, exitOK, checkWarning, "this machine's clock is 2m0s ahead of the server's"},
		{"ten minutes ahead", 10 * time.Minute, exitFail, checkError, "this machine's clock is 10m0s ahead of the server's"},
		{"ten minutes behind", -10 * time.Minute, exitFail, checkError, "this machine's clock is 10m0s behind the server's"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := doctorHarness(t, tt.skew)
			stdout, stderr, code := h.run("", nil, "doctor", "--json")
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d; stderr %q\n%s", code, tt.wantCode, stderr, stdout)
			}
			noSecrets(t, "doctor --json", stdout, "tok-doctor-123")
			rep := decodeStrict[DoctorReport](t, stdout)
			var clock, endpoint, consumer *DoctorCheck
			for i, c := range rep.Checks {
				switch c.ID {
				case "clock":
					clock = &rep.Checks[i]
				case "endpoint":
					endpoint = &rep.Checks[i]
				case "consumer":
					consumer = &rep.Checks[i]
				}
			}
			if clock == nil || clock.Status != tt.wantStatus || !strings.Contains(clock.Message, tt.wantMsg) {
				t.Errorf("clock check %+v, want %s with %q", clock, tt.wantStatus, tt.wantMsg)
			}
			if endpoint == nil || !strings.Contains(endpoint.Message, "401 Unauthorized") || !strings.Contains(endpoint.Message, "TLS 1.3, certificate for") {
				t.Errorf("endpoint check %+v", endpoint)
			}
			if consumer == nil || consumer.Status != checkOK || !strings.Contains(consumer.Message, "account app user ci") {
				t.Errorf("consumer check %+v", consumer)
			}
			if rep.OK != (tt.wantCode == exitOK) || rep.SchemaVersion != 1 {
				t.Errorf("report ok=%v schemaVersion=%d", rep.OK, rep.SchemaVersion)
			}
		})
	}
}

// TestDoctorSchemaDocumented: the README's example is the schema.
func TestDoctorSchemaDocumented(t *testing.T) {
	t.Parallel()
	decodeStrict[DoctorReport](t, readmeJSON(t, "### `doctor --json`"))
}

func TestHelpersFor(t *testing.T) {
	t.Parallel()
	all := []helperEntry{
		{url: "", value: "store"},
		{url: "https://bb.example.test", value: ""},
		{url: "https://bb.example.test", value: "bitbucket"},
		{url: "https://other.example.test", value: "cache"},
		{url: "https://bb.example.test/ctx", value: "!/opt/bin/git-credential-bitbucket.exe get"},
	}
	got := helpersFor(all, "https://bb.example.test/ctx")
	if len(got) != 2 || helperName(got[0].value) != "bitbucket" || helperName(got[1].value) != "bitbucket" {
		t.Errorf("helpersFor = %+v", got)
	}
	if got := helpersFor(all, "https://elsewhere.example.test"); len(got) != 1 || helperName(got[0].value) != "store" {
		t.Errorf("helpersFor elsewhere = %+v", got)
	}
}

func TestHelperNameAndGitVersion(t *testing.T) {
	t.Parallel()
	names := map[string]string{
		"bitbucket": "bitbucket",
		"/home/u/.local/bin/git-credential-bitbucket": "bitbucket",
		`"C:\bin\git-credential-bitbucket.exe"`:       "bitbucket",
		"!git-credential-bitbucket --x":               "bitbucket",
		"store --file ~/.creds":                       "store",
		"cache --timeout 900":                         "cache",
		"/usr/lib/git-core/git-credential-libsecret":  "libsecret",
		"": "",
	}
	for in, want := range names {
		if got := helperName(in); got != want {
			t.Errorf("helperName(%q) = %q, want %q", in, got, want)
		}
	}
	versions := []struct {
		in           string
		major, minor int
	}{{"2.39.5", 2, 39}, {"2.45.1.windows.1", 2, 45}, {"2.47", 2, 47}, {"garbage", 0, 0}}
	for _, v := range versions {
		if ma, mi := gitVersion(v.in); ma != v.major || mi != v.minor {
			t.Errorf("gitVersion(%q) = %d.%d, want %d.%d", v.in, ma, mi, v.major, v.minor)
		}
	}
}

func TestHelperProgram(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		`"C:/Program Files/bb/git-credential-bitbucket.exe" --x`: "C:/Program Files/bb/git-credential-bitbucket.exe",
		"!/usr/bin/git-credential-bitbucket":                     "/usr/bin/git-credential-bitbucket",
		"store":                                                  "store",
		`"unterminated`:                                          `"unterminated`,
		"":                                                       "",
	} {
		if got := helperProgram(in); got != want {
			t.Errorf("helperProgram(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDoctorStateDir(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		setup      func(t *testing.T, dir string)
		wantStatus string
		wantMsg    string
	}{
		{"missing", func(*testing.T, string) {}, checkOK, "does not exist yet"},
		{"private", func(t *testing.T, dir string) { mkdirMode(t, dir, 0o700) }, checkOK, "0 token record(s) readable"},
		{"writable by others", func(t *testing.T, dir string) { mkdirMode(t, dir, 0o777) }, checkError, "is writable by group or others (mode 0777)"},
		{"damaged file", func(t *testing.T, dir string) {
			mkdirMode(t, dir, 0o700)
			if err := os.WriteFile(filepath.Join(dir, "tokens.json"), []byte("{half"), 0o600); err != nil {
				t.Fatal(err)
			}
		}, checkError, "tokens.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := doctorHarness(t, 0)
			tt.setup(t, h.app.StoreDir)
			stdout, _, _ := h.run("", nil, "doctor", "--json")
			rep := decodeStrict[DoctorReport](t, stdout)
			for _, c := range rep.Checks {
				if c.ID == "state-dir" {
					if c.Status != tt.wantStatus || !strings.Contains(c.Message, tt.wantMsg) {
						t.Errorf("state-dir %+v, want %s with %q", c, tt.wantStatus, tt.wantMsg)
					}
					return
				}
			}
			t.Errorf("no state-dir check in %s", stdout)
		})
	}
}

func mkdirMode(t *testing.T, dir string, mode os.FileMode) {
	t.Helper()
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, mode); err != nil {
		t.Fatal(err)
	}
}
