package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
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

// authorizeURLRE finds an authorize URL of any flow the helper printed.
var authorizeURLRE = regexp.MustCompile(`https?://[^\s"]+/(?:site/oauth2/authorize|rest/oauth2/latest/authorize|plugins/servlet/oauth/authorize)\?[^\s"]+`)

// waitFor polls file until re matches, for up to 20 s.
func waitFor(ts *testscript.TestScript, file string, re *regexp.Regexp) []string {
	deadline := time.Now().Add(20 * time.Second)
	for {
		b, _ := os.ReadFile(ts.MkAbs(file))
		if m := re.FindStringSubmatch(string(b)); m != nil {
			return m
		}
		if time.Now().After(deadline) {
			ts.Fatalf("%s: no match for %s after 20s:\n%s", file, re, b)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// cmdWaitFile waits until FILE matches REGEXP: waitfile trace.log 'Waiting up to'.
func cmdWaitFile(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 || neg {
		ts.Fatalf("usage: waitfile FILE REGEXP")
	}
	waitFor(ts, args[0], regexp.MustCompile(args[1]))
}

// cmdOpenURL is the person opening, in a browser on this machine, the
// authorize URL the helper printed in FILE: the mock approves and the
// browser comes back to the loopback listener. openurl trace.log.
func cmdOpenURL(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 || neg {
		ts.Fatalf("usage: openurl FILE")
	}
	u := waitFor(ts, args[0], authorizeURLRE)[0]
	resp, err := (&http.Client{Timeout: 20 * time.Second}).Get(u)
	ts.Check(err)
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		ts.Fatalf("openurl: final status %s", resp.Status)
	}
}

// cmdPasteURL is the person opening the printed URL in a browser on
// another machine, which cannot reach the loopback listener: they paste
// the address the browser was sent to (or the verification code an "oob"
// consent page shows) into FIFO, the helper's terminal.
// pasteurl tty.out tty.in.
func cmdPasteURL(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 || neg {
		ts.Fatalf("usage: pasteurl FILE FIFO")
	}
	u := waitFor(ts, args[0], authorizeURLRE)[0]
	var answer string
	c := &http.Client{Timeout: 20 * time.Second, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if q := req.URL.Query(); q.Get("code") != "" || q.Get("oauth_verifier") != "" {
			answer = req.URL.String()
			return http.ErrUseLastResponse
		}
		return nil
	}}
	resp, err := c.Get(u)
	ts.Check(err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if m := verifierRE.FindSubmatch(body); answer == "" && m != nil {
		answer = string(m[1]) // an "oob" consent page shows the verification code
	}
	if answer == "" {
		ts.Fatalf("pasteurl: the authorization did not redirect with a code (%s)", resp.Status)
	}
	f, err := os.OpenFile(ts.MkAbs(args[1]), os.O_WRONLY, 0)
	ts.Check(err)
	defer f.Close()
	_, err = io.WriteString(f, answer+"\n")
	ts.Check(err)
}

var verifierRE = regexp.MustCompile(`<code id="oauth_verifier">([^<]+)</code>`)

// cmdListenerClosed checks that nothing listens any more on the loopback
// redirect the trace FILE names: listenerclosed trace.log.
func cmdListenerClosed(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 || neg {
		ts.Fatalf("usage: listenerclosed FILE")
	}
	m := waitFor(ts, args[0], regexp.MustCompile(`redirect (http://[^\s,]+)`))
	u, err := url.Parse(m[1])
	ts.Check(err)
	if conn, err := net.DialTimeout("tcp", u.Host, time.Second); err == nil {
		conn.Close()
		ts.Fatalf("%s still accepts connections", u.Host)
	}
	fmt.Fprintf(ts.Stdout(), "closed %s\n", strings.TrimSpace(u.Host))
}
