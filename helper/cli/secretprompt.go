package cli

import (
	"bytes"
	"fmt"
	"os"

	"golang.org/x/term"
)

// readSecretIn reads the secret of --client-secret-stdin or
// --jwt-shared-secret-stdin: typed or pasted with echo off when stdin is
// a terminal (the prompt goes to stderr), else one line from the pipe.
func (r *run) readSecretIn() (string, error) {
	f, ok := r.stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return readSecret(r.stdin)
	}
	fmt.Fprint(r.stderr, "Secret (not shown as you type or paste; Enter to finish): ")
	b, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(r.stderr)
	if err != nil {
		return "", fmt.Errorf("read the secret from the terminal: %w", err)
	}
	return readSecret(bytes.NewReader(b))
}
