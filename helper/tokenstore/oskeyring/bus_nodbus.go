//go:build !(linux || freebsd || openbsd || netbsd || dragonfly)

package oskeyring

// noSessionBus: the Keychain (macOS) and the Credential Manager (Windows)
// need no bus; they are always there.
func noSessionBus([]string) error { return nil }
