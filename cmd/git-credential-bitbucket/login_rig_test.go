package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/bbcred/git-credential-bitbucket/internal/scripttest"
)

// The login scripts' terminal and person. A script's helper has no
// /dev/tty (the developer's own terminal must never be read or written
// by a test): TEST_TTY_IN names the file or FIFO it reads as its
// terminal, TEST_TTY_OUT the file it writes there (else stderr). Unset,
// the helper has no terminal, as under CI.
const (
	ttyInEnv  = "TEST_TTY_IN"
	ttyOutEnv = "TEST_TTY_OUT"
)

// scriptTTY is the helper's OpenTTY in scripts.
func scriptTTY(in, out string) func() (io.ReadWriteCloser, error) {
	return func() (io.ReadWriteCloser, error) {
		if in == "" {
			return nil, errors.New("no terminal in test scripts (set " + ttyInEnv + ")")
		}
		r, err := os.OpenFile(in, os.O_RDWR, 0) // RDWR: a FIFO opens without a writer
		if err != nil {
			return nil, err
		}
		t := &fileTTY{in: r, out: os.Stderr}
		if out != "" {
			w, err := os.OpenFile(out, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
			if err != nil {
				r.Close()
				return nil, err
			}
			t.out, t.closeOut = w, w
		}
		return t, nil
	}
}

type fileTTY struct {
	in       *os.File
	out      io.Writer
	closeOut io.Closer
}

func (t *fileTTY) Read(p []byte) (int, error)  { return t.in.Read(p) }
func (t *fileTTY) Write(p []byte) (int, error) { return t.out.Write(p) }
func (t *fileTTY) Close() error {
	if t.closeOut != nil {
		t.closeOut.Close()
	}
	return t.in.Close()
}

// cmdListenerClosed checks that nothing listens any more on the loopback
// redirect the trace FILE names: listenerclosed trace.log.
func cmdListenerClosed(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 || neg {
		ts.Fatalf("usage: listenerclosed FILE")
	}
	m := scripttest.WaitFor(ts, args[0], regexp.MustCompile(`redirect (http://[^\s,]+)`))
	u, err := url.Parse(m[1])
	ts.Check(err)
	if conn, err := net.DialTimeout("tcp", u.Host, time.Second); err == nil {
		conn.Close()
		ts.Fatalf("%s still accepts connections", u.Host)
	}
	fmt.Fprintf(ts.Stdout(), "closed %s\n", strings.TrimSpace(u.Host))
}
