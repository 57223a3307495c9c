//go:build linux || freebsd || openbsd || netbsd || dragonfly

package oskeyring

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
)

// noSessionBus reports an error when env (nil: the process environment)
// names no D-Bus session bus, where the Secret Service would live:
// DBUS_SESSION_BUS_ADDRESS unset and no $XDG_RUNTIME_DIR/bus socket (the
// two places godbus looks before it would autolaunch a bus of its own, as
// under ssh or in a container). One environment lookup and one stat: cheap
// enough for the fast path.
func noSessionBus(env []string) error {
	if env == nil {
		env = os.Environ()
	}
	if a := strings.TrimSpace(lookupEnv(env, "DBUS_SESSION_BUS_ADDRESS")); a != "" && a != "autolaunch:" {
		return nil
	}
	if d := lookupEnv(env, "XDG_RUNTIME_DIR"); d != "" {
		if fi, err := os.Stat(filepath.Join(d, "bus")); err == nil && fi.Mode().Type() == os.ModeSocket {
			return nil
		}
	}
	return errors.New("no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set), so no Secret Service")
}

func lookupEnv(env []string, key string) string {
	val := ""
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok && k == key {
			val = v
		}
	}
	return val
}
