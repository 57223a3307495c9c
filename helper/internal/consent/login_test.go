package consent

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// says collects Say lines.
type says struct {
	mu    sync.Mutex
	lines []string
}

func (s *says) say(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lines = append(s.lines, fmt.Sprintf(format, args...))
}

func (s *says) text() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Join(s.lines, "\n")
}

func testLogin(state string, open func(string) error) Login {
	return OAuth2("https://bitbucket.org", "https://bitbucket.org/site/oauth2/authorize?x=1", open, time.Minute, state)
}

// TestAwaitNoTerminal: without a terminal the URL and the time limit are
// said on stderr every time, even when the browser opened, and a plain
// waiting line follows every 4 ticks, not more.
func TestAwaitNoTerminal(t *testing.T) {
	t.Parallel()
	cb := newCallback("/cb")
	var s says
	p := Person{Say: s.say, Tick: 10 * time.Millisecond}
	go func() {
		time.Sleep(130 * time.Millisecond)
		cb.ch <- url.Values{"state": {"S"}, "code": {"C"}}
	}()
	code, err := p.Await(t.Context(), cb, testLogin("S", func(string) error { return nil }))
	if err != nil || code != "C" {
		t.Fatalf("Await = %q, %v", code, err)
	}
	got := s.text()
	for _, want := range []string{
		"To log in to https://bitbucket.org, open this URL in a browser:\nhttps://bitbucket.org/site/oauth2/authorize?x=1\nA browser was started with it.\nWaiting up to 1m0s for the browser to come back.\n",
		"waiting for the authorization: 1m0s left",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("said %q, want %q", got, want)
		}
	}
	if n := strings.Count(got, "waiting for the authorization"); n < 1 || n > 4 {
		t.Errorf("%d waiting lines in 130ms at 40ms apart:\n%s", n, got)
	}
}

func TestAwaitNoWay(t *testing.T) {
	t.Parallel()
	var s says
	_, err := Person{Say: s.say}.Await(t.Context(), newCallback("/cb"), testLogin("S", func(string) error { return errors.New("no display") }))
	if !errors.Is(err, ErrNoWay) || !strings.Contains(err.Error(), "(no display)") {
		t.Errorf("Await = %v, want ErrNoWay naming why", err)
	}
	if s.text() != "" {
		t.Errorf("said %q before giving up", s.text())
	}
}

// rwPipe is a terminal: reads from r, writes to w.
type rwPipe struct {
	io.Reader
	io.Writer
}

// TestAwaitTerminal: the waiting line is rewritten in place; an empty
// line is ignored; a closed terminal leaves the browser to come back.
func TestAwaitTerminal(t *testing.T) {
	t.Parallel()
	t.Run("paste after an empty line", func(t *testing.T) {
		t.Parallel()
		var out strings.Builder
		tty := rwPipe{strings.NewReader("\n  \nhttp://127.0.0.1:1/cb?code=C&state=S\n"), &out}
		code, err := Person{TTY: tty}.Await(t.Context(), newCallback("/cb"), testLogin("S", nil))
		if err != nil || code != "C" {
			t.Fatalf("Await = %q, %v", code, err)
		}
		for _, want := range []string{"No browser was opened (--no-browser).\n",
			"Waiting up to 1m0s; or paste here the address the browser was sent to (or the code) and press Enter. Ctrl-C stops.\n",
			"\r\033[KWaiting for the authorization: 1m0s left. "} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("terminal %q, want %q", out.String(), want)
			}
		}
		if !strings.HasSuffix(out.String(), "\r\033[K") {
			t.Errorf("the waiting line is not cleared: %q", out.String())
		}
	})
	t.Run("terminal closed, browser comes back", func(t *testing.T) {
		t.Parallel()
		cb := newCallback("/cb")
		go func() {
			time.Sleep(50 * time.Millisecond)
			cb.ch <- url.Values{"state": {"S"}, "code": {"C"}}
		}()
		code, err := Person{TTY: rwPipe{strings.NewReader(""), io.Discard}}.Await(t.Context(), cb, testLogin("S", nil))
		if err != nil || code != "C" {
			t.Errorf("Await = %q, %v", code, err)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		t.Parallel()
		pr, pw := io.Pipe()
		t.Cleanup(func() { pw.Close() })
		ctx, cancel := context.WithCancel(t.Context())
		go func() { time.Sleep(30 * time.Millisecond); cancel() }()
		var out strings.Builder
		var mu sync.Mutex
		w := writerFunc(func(b []byte) (int, error) { mu.Lock(); defer mu.Unlock(); return out.Write(b) })
		_, err := Person{TTY: rwPipe{pr, w}}.Await(ctx, newCallback("/cb"), testLogin("S", nil))
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Await = %v, want cancelled", err)
		}
		mu.Lock()
		defer mu.Unlock()
		if !strings.HasSuffix(out.String(), "\r\033[K") {
			t.Errorf("the waiting line is not cleared: %q", out.String())
		}
	})
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(b []byte) (int, error) { return f(b) }

func TestTimeoutError(t *testing.T) {
	t.Parallel()
	err := fmt.Errorf("grant oauth2: %w", &TimeoutError{Limit: 5 * time.Minute})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("%v is not a deadline", err)
	}
	if want := "gave up waiting for the authorization after 5m0s: run git-credential-bitbucket login again (with --no-browser to paste the address)"; !strings.HasSuffix(err.Error(), want) {
		t.Errorf("%q, want %q", err, want)
	}
}

// TestFailuresNameTheNextCommand: a consent that fails on the person's
// side says what to run next.
func TestFailuresNameTheNextCommand(t *testing.T) {
	t.Parallel()
	for _, q := range []url.Values{
		{"state": {"S"}, "error": {"access_denied"}},
		{"state": {"evil"}, "code": {"C"}},
		{"state": {"S"}},
	} {
		_, err := Code(q, "S")
		if err == nil || !strings.HasSuffix(err.Error(), "; run git-credential-bitbucket login again") {
			t.Errorf("Code(%v) = %v, want the next command at the end", q, err)
		}
	}
	for _, line := range []string{"not a code!", "http://127.0.0.1:1/?state=evil&code=C"} {
		if _, err := Paste(line, "S"); err == nil || !strings.HasSuffix(err.Error(), Again) {
			t.Errorf("Paste(%q) = %v, want the next command at the end", line, err)
		}
	}
}
