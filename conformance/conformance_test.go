package conformance

import (
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// The suite's targets. `make conformance` runs these (and real_test.go's)
// with the binaries it built; see README.md.

func TestInProcess(t *testing.T) {
	t.Parallel()
	Run(t, InProcess(t), helperOption())
}

func TestBinary(t *testing.T) {
	t.Parallel()
	Run(t, Binary(t, mockBin(t)), helperOption(), WithHostile(os.Getenv(envHelperBin)))
}

// The same targets with Bitbucket Cloud as it was before 2026-05-04
// (bitbucket-mock --cloud-era 2025): its cases keep passing.

func TestInProcess2025(t *testing.T) {
	t.Parallel()
	Run(t, InProcessEra(t, "2025"), helperOption())
}

func TestBinary2025(t *testing.T) {
	t.Parallel()
	Run(t, BinaryEra(t, mockBin(t), "2025"), helperOption())
}

// helperOption adds the helper's end-to-end scripts when the helper binary
// is given (make conformance).
func helperOption() Option {
	return WithHelper(os.Getenv(envHelperBin))
}

// The process targets and the helper scripts need the binaries:
// `make conformance` builds them and passes their paths; plain `go test`
// (as in `make test`) runs the in-process target only, which keeps it quick.
const (
	envMockBin   = "CONFORMANCE_MOCK_BIN"
	envHelperBin = "CONFORMANCE_HELPER_BIN"
)

func mockBin(t *testing.T) string {
	t.Helper()
	p := os.Getenv(envMockBin)
	if p == "" {
		t.Skip(envMockBin + " is not set: the bitbucket-mock process targets run under make conformance")
	}
	return p
}

// TestMain registers the scripts' browser command.
func TestMain(m *testing.M) {
	testscript.Main(m, Commands())
}
