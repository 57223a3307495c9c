//go:build !windows

package cli

import (
	"io"
	"os"
)

// openTTY opens the controlling terminal; it fails when there is none.
func openTTY() (io.ReadWriteCloser, error) {
	return os.OpenFile("/dev/tty", os.O_RDWR, 0)
}
