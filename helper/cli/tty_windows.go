package cli

import (
	"errors"
	"io"
	"os"
)

// openTTY opens the console: CONIN$ for what the person types and CONOUT$
// for the prompt. Windows has no /dev/tty; these name the console of the
// process even when git has redirected stdin and stdout to pipes, and
// opening them fails when there is no console (a service, a GUI client).
func openTTY() (io.ReadWriteCloser, error) {
	in, err := os.OpenFile("CONIN$", os.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	out, err := os.OpenFile("CONOUT$", os.O_RDWR, 0)
	if err != nil {
		in.Close()
		return nil, err
	}
	return &console{in: in, out: out}, nil
}

// console reads from CONIN$ and writes to CONOUT$.
type console struct{ in, out *os.File }

func (c *console) Read(p []byte) (int, error)  { return c.in.Read(p) }
func (c *console) Write(p []byte) (int, error) { return c.out.Write(p) }
func (c *console) Close() error                { return errors.Join(c.in.Close(), c.out.Close()) }
