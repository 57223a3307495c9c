//go:build linux

package oskeyring

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const probeChildEnv = "TOKENSTORE_TEST_PROBE_CHILD"

// TestProbeNoBus: with no D-Bus session bus the probe fails at once,
// without connecting anywhere.
func TestProbeNoBus(t *testing.T) {
	t.Parallel()
	start := time.Now()
	err := Probe([]string{"HOME=/nonexistent", "XDG_RUNTIME_DIR=" + t.TempDir()}, time.Second)
	if err == nil || !strings.Contains(err.Error(), "no D-Bus session bus") {
		t.Fatalf("probe without a bus: %v", err)
	}
	if d := time.Since(start); d > 50*time.Millisecond {
		t.Errorf("probe without a bus took %s", d)
	}
}

// TestProbeHungBus: a session bus that accepts the connection and
// never answers (a wedged dbus-daemon) costs the probe its timeout, not a
// hang. go-keyring reads the bus address from the process environment, so
// the probe runs in a child process.
func TestProbeHungBus(t *testing.T) {
	if os.Getenv(probeChildEnv) == "1" {
		start := time.Now()
		err := Probe(nil, time.Second)
		if err == nil || !strings.Contains(err.Error(), "did not answer within 1s") {
			t.Fatalf("probe of a hung bus: %v", err)
		}
		if d := time.Since(start); d < time.Second || d > 2*time.Second {
			t.Fatalf("probe of a hung bus returned after %s, want about 1s", d)
		}
		return
	}
	t.Parallel()
	sock := filepath.Join(t.TempDir(), "bus")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		var held []net.Conn // open, and never a word
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	t.Cleanup(func() { l.Close(); <-done })
	cmd := exec.Command(os.Args[0], "-test.run=^TestProbeHungBus$", "-test.count=1", "-test.timeout=30s")
	cmd.Env = append(os.Environ(), probeChildEnv+"=1", "DBUS_SESSION_BUS_ADDRESS=unix:path="+sock,
		"GORACE="+strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
}
