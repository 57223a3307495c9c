package consent

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/internal/termsafe"
)

// The person's side of a login is the same for the Cloud authorization
// code, DC OAuth 2 and OAuth 1 flows, and its wording lives here alone:
// the authorize URL is shown every time, even when a browser opened (a
// browser that "opens" but shows nothing must not leave a person waiting
// blind), with the time limit; a pasted address or code is read at any
// moment while the loopback listener waits, whichever comes first; a
// waiting line tells the time left.

// Person is who a login talks to.
type Person struct {
	// TTY is the terminal: the URL and the waiting line go there, and a
	// paste is read from it. nil when there is none.
	TTY io.ReadWriter
	// Say writes one line for the person on stderr (the CLI prefixes and
	// redacts it); used when there is no terminal. nil: say nothing.
	Say func(format string, args ...any)
	// Now is the clock of the waiting line; nil means time.Now.
	Now func() time.Time
	// Tick is how often the waiting line is rewritten on a terminal; 0
	// means 15 s. Without a terminal a plain line is said every 4 ticks.
	Tick time.Duration
}

// Login is one wait for a person's consent.
type Login struct {
	Origin string             // what is logged in to, as the person knows it
	URL    string             // the authorize URL
	Open   func(string) error // the browser opener; nil: --no-browser or none
	// Opened says the caller opened the browser with URL already;
	// otherwise NoBrowser, when set, says why none is opened.
	Opened    bool
	NoBrowser string
	Limit     time.Duration // how long the wait lasts (the caller's context ends it)
	// Query reads an answer the loopback listener accepted; Paste reads
	// a line pasted on the terminal ("" is ignored). Either may be nil.
	Query func(q url.Values) (string, error)
	Paste func(line string) (string, error)
	// PasteWhat names what to paste, e.g. "the address the browser was sent to (or the code)".
	PasteWhat string
}

// OAuth2 is the wait for an OAuth 2 authorization response with state
// (RFC 6749 §4.1.2): from the loopback listener or pasted.
func OAuth2(origin, authURL string, open func(string) error, limit time.Duration, state string) Login {
	return Login{
		Origin: origin, URL: authURL, Open: open, Limit: limit,
		Query:     func(q url.Values) (string, error) { return Code(q, state) },
		Paste:     func(line string) (string, error) { return Paste(line, state) },
		PasteWhat: pasteRedirect,
	}
}

// ErrNoWay: no browser could be opened and there is no terminal to show
// the URL on and read a paste from.
var ErrNoWay = errors.New("no browser could be opened and there is no terminal")

// Await shows l's URL, opens the browser (unless l.Open is nil) and waits
// for the answer: the loopback listener cb (nil: none, the answer is
// pasted) or a line pasted on p.TTY, whichever comes first, until ctx
// ends. It returns what Query or Paste returned.
func (p Person) Await(ctx context.Context, cb *Callback, l Login) (string, error) {
	opened, why := l.Opened, l.NoBrowser
	if why == "" {
		why = "--no-browser"
	}
	if !opened && l.Open != nil {
		var err error
		if cb != nil {
			err = cb.Open(l.Open, l.URL)
		} else {
			err = l.Open(l.URL)
		}
		opened = err == nil
		if err != nil {
			why = termsafe.Line(err.Error())
		}
	}
	canPaste := p.TTY != nil && l.Paste != nil
	if !opened && !canPaste {
		return "", fmt.Errorf("%w (%s)", ErrNoWay, why)
	}
	w := p.writer()
	fmt.Fprintf(w, "To log in to %s, open this URL in a browser:\n", l.Origin)
	fmt.Fprintf(w, "\n  %s\n\n", l.URL)
	if opened {
		fmt.Fprintf(w, "A browser was started with it.\n")
	} else {
		fmt.Fprintf(w, "No browser was opened (%s).\n", why)
	}
	if canPaste {
		fmt.Fprintf(w, "Waiting up to %s; or paste here %s and press Enter. Ctrl-C stops.\n", round(l.Limit), l.PasteWhat)
	} else {
		fmt.Fprintf(w, "Waiting up to %s for the browser to come back.\n", round(l.Limit))
	}

	var pasted chan answer // nil without a terminal: never ready
	if canPaste {
		pasted = make(chan answer, 1)
		go func() { pasted <- readPastes(ctx, p.TTY, l.Paste) }()
	}
	var done <-chan url.Values
	if cb != nil {
		done = cb.Done()
	}
	tick := p.Tick
	if tick <= 0 {
		tick = 15 * time.Second
	}
	if p.TTY == nil {
		tick *= 4
	}
	t := time.NewTicker(tick)
	defer t.Stop()
	now := p.Now
	if now == nil {
		now = time.Now
	}
	deadline := now().Add(l.Limit)
	if p.TTY != nil {
		p.waiting(deadline.Sub(now()))
	}
	defer p.clearLine()
	for {
		select {
		case q := <-done:
			return l.Query(q)
		case a := <-pasted:
			if errors.Is(a.err, io.EOF) && done != nil {
				pasted = nil // the terminal closed: the browser may still come back
				continue
			}
			return a.s, a.err
		case <-ctx.Done():
			return "", fmt.Errorf("waiting for the authorization: %w", ctx.Err())
		case <-t.C:
			p.waiting(deadline.Sub(now()))
		}
	}
}

type answer struct {
	s   string
	err error
}

// readPastes reads lines until one is not empty.
func readPastes(ctx context.Context, r io.Reader, paste func(string) (string, error)) answer {
	for {
		line, err := ReadLine(ctx, r)
		if err != nil {
			return answer{err: fmt.Errorf("read the pasted address: %w"+Again, err)}
		}
		if line != "" {
			s, err := paste(line)
			return answer{s, err}
		}
	}
}

// writer is where the URL goes: the terminal, else Say line by line.
func (p Person) writer() io.Writer {
	if p.TTY != nil {
		return p.TTY
	}
	return sayWriter(p.Say)
}

// waiting shows the time left: rewritten in place on a terminal.
func (p Person) waiting(left time.Duration) {
	if left < 0 {
		left = 0
	}
	if p.TTY != nil {
		fmt.Fprintf(p.TTY, "\r\033[KWaiting for the authorization: %s left. ", round(left))
		return
	}
	if p.Say != nil {
		p.Say("waiting for the authorization: %s left", round(left))
	}
}

// clearLine wipes the waiting line, so what follows starts a clean line.
func (p Person) clearLine() {
	if p.TTY != nil {
		io.WriteString(p.TTY, "\r\033[K")
	}
}

func round(d time.Duration) time.Duration {
	if d < time.Second {
		return d.Round(time.Millisecond)
	}
	return d.Round(time.Second)
}

// sayWriter turns written text into Say lines (blank lines dropped).
type sayWriter func(format string, args ...any)

func (s sayWriter) Write(b []byte) (int, error) {
	if s == nil {
		return len(b), nil
	}
	for _, line := range strings.Split(string(b), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			s("%s", line)
		}
	}
	return len(b), nil
}

// What to paste, in the one wording of every flow.
const (
	pasteRedirect = "the address the browser was sent to (or the code)"
	PasteVerifier = "the verification code the page shows (or the address the browser was sent to)"
)

// TimeoutError is a wait for the person that ran out of time; it is
// context.DeadlineExceeded too.
type TimeoutError struct{ Limit time.Duration }

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("gave up waiting for the authorization after %s: run git-credential-bitbucket login again (with --no-browser to paste the address)", round(e.Limit))
}

func (e *TimeoutError) Unwrap() error { return context.DeadlineExceeded }
