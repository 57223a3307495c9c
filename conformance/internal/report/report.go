// Package report turns the `go test -json` stream of the conformance suite
// into one line per case and a closing count line.
//
// Case naming: the suite's tests are named Test<Target>/<area>/<case>[/...].
// A test at depth three is a case; deeper subtests fold into their case.
// A shallower test is reported only when nothing below it was, or when it
// failed on its own (setup failures), so no failure is ever lost.
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
)

// Event is one record of `go test -json` (cmd/test2json).
type Event struct {
	Time    time.Time `json:"Time"`
	Action  string    `json:"Action"`
	Package string    `json:"Package"`
	Test    string    `json:"Test"`
	Elapsed float64   `json:"Elapsed"`
	Output  string    `json:"Output"`
}

// Status of one case.
type Status string

const (
	Pass Status = "PASS"
	Fail Status = "FAIL"
	Skip Status = "SKIP"
)

// Result is one reported case.
type Result struct {
	Status  Status
	Area    string
	Case    string
	Elapsed time.Duration
	Reason  string   // skip reason (last log line of a skipped case)
	Output  []string // the case's log lines (kept for failures)
}

// caseDepth is the number of name segments of a case: Test/area/case.
const caseDepth = 3

type testState struct {
	own      []string // output lines of this test itself
	all      []string // output of this test and its descendants
	reported int      // results emitted at or below this test
	failed   int      // failures emitted at or below this test
	longest  float64  // longest elapsed of a deeper subtest (parallel ones outlast their parent's function)
	deeper   map[Status]int
	skipWhy  string // reason of a deeper skip
}

// Collector consumes events in order and emits a Result whenever a case ends.
type Collector struct {
	emit    func(Result)
	tests   map[string]*testState // key: package + "\x00" + test name
	pkgOut  map[string][]string
	pkgFail map[string]int // failures reported per package
	counts  Counts
	seen    int
}

// Counts is the closing line's numbers.
type Counts struct{ Passed, Failed, Skipped int }

// String is the closing line, exactly "N passed, N failed, N skipped".
func (c Counts) String() string {
	return fmt.Sprintf("%d passed, %d failed, %d skipped", c.Passed, c.Failed, c.Skipped)
}

// NewCollector returns a collector calling emit for each finished case.
func NewCollector(emit func(Result)) *Collector {
	return &Collector{
		emit:    emit,
		tests:   map[string]*testState{},
		pkgOut:  map[string][]string{},
		pkgFail: map[string]int{},
	}
}

// Counts so far.
func (c *Collector) Counts() Counts { return c.counts }

// Events is how many events were consumed.
func (c *Collector) Events() int { return c.seen }

func (c *Collector) state(pkg, test string) *testState {
	k := pkg + "\x00" + test
	s := c.tests[k]
	if s == nil {
		s = &testState{}
		c.tests[k] = s
	}
	return s
}

// Add consumes one event.
func (c *Collector) Add(e Event) {
	c.seen++
	if e.Test == "" {
		c.addPackage(e)
		return
	}
	segs := strings.Split(e.Test, "/")
	switch e.Action {
	case "output":
		line := strings.TrimRight(e.Output, "\n")
		if isFrameLine(line) {
			return
		}
		c.state(e.Package, e.Test).own = append(c.state(e.Package, e.Test).own, line)
		for i := 1; i <= len(segs); i++ {
			s := c.state(e.Package, strings.Join(segs[:i], "/"))
			s.all = append(s.all, line)
		}
	case "pass", "fail", "skip":
		c.finish(e, segs)
	}
}

func (c *Collector) finish(e Event, segs []string) {
	status := map[string]Status{"pass": Pass, "fail": Fail, "skip": Skip}[e.Action]
	if len(segs) > caseDepth {
		cs := c.state(e.Package, strings.Join(segs[:caseDepth], "/"))
		cs.longest = max(cs.longest, e.Elapsed)
		if cs.deeper == nil {
			cs.deeper = map[Status]int{}
		}
		cs.deeper[status]++
		if status == Skip && cs.skipWhy == "" {
			cs.skipWhy = skipReason(c.state(e.Package, e.Test).own)
		}
		return // folded into its case
	}
	s := c.state(e.Package, e.Test)
	if status == Pass && s.deeper[Skip] > 0 && s.deeper[Pass] == 0 && s.deeper[Fail] == 0 {
		status = Skip // a case whose every subtest skipped did not pass
	}
	if len(segs) < caseDepth && s.reported > 0 {
		// A parent of reported cases: only its own failure is news.
		if status != Fail || s.failed > 0 {
			return
		}
	}
	area, name := names(segs)
	r := Result{
		Status:  status,
		Area:    area,
		Case:    name,
		Elapsed: time.Duration(max(e.Elapsed, s.longest) * float64(time.Second)),
	}
	switch status {
	case Skip:
		r.Reason = skipReason(s.own)
		if r.Reason == "" {
			r.Reason = s.skipWhy
		}
	case Fail:
		r.Output = append([]string(nil), s.all...)
	}
	c.record(e.Package, segs, r)
}

func (c *Collector) record(pkg string, segs []string, r Result) {
	for i := 1; i <= len(segs); i++ {
		s := c.state(pkg, strings.Join(segs[:i], "/"))
		s.reported++
		if r.Status == Fail {
			s.failed++
		}
	}
	switch r.Status {
	case Pass:
		c.counts.Passed++
	case Fail:
		c.counts.Failed++
		c.pkgFail[pkg]++
	case Skip:
		c.counts.Skipped++
	}
	c.emit(r)
}

func (c *Collector) addPackage(e Event) {
	switch e.Action {
	case "output", "build-output":
		c.pkgOut[e.Package] = append(c.pkgOut[e.Package], strings.TrimRight(e.Output, "\n"))
	case "fail", "build-fail":
		if c.pkgFail[e.Package] > 0 {
			return
		}
		c.record(e.Package, nil, Result{
			Status:  Fail,
			Area:    shortPackage(e.Package),
			Case:    "(package)",
			Elapsed: time.Duration(e.Elapsed * float64(time.Second)),
			Output:  append([]string(nil), c.pkgOut[e.Package]...),
		})
	}
}

// Finish reports a stream that ended without any result as a failure.
func (c *Collector) Finish() {
	if c.counts.Passed+c.counts.Failed+c.counts.Skipped == 0 {
		c.record("", nil, Result{Status: Fail, Area: "conformance", Case: "(no cases ran)"})
	}
}

func names(segs []string) (area, name string) {
	target := strings.ToLower(strings.TrimPrefix(segs[0], "Test"))
	switch len(segs) {
	case 1:
		return target, "-"
	case 2:
		return target + "/" + segs[1], "-"
	default:
		return target + "/" + segs[1], segs[2]
	}
}

func shortPackage(p string) string {
	if i := strings.LastIndex(p, "/"); i >= 0 {
		return p[i+1:]
	}
	if p == "" {
		return "conformance"
	}
	return p
}

var frameRE = regexp.MustCompile(`^\s*(=== (RUN|PAUSE|CONT|NAME)|--- (PASS|FAIL|SKIP):)`)

func isFrameLine(s string) bool { return frameRE.MatchString(s) }

var (
	logPrefixRE  = regexp.MustCompile(`^\s*[\w.\-]+\.go:\d+: `)
	scriptSkipRE = regexp.MustCompile(`^> (?:\[[^\]]*\] )*skip (?:'(.*)'|(.*))$`)
)

func skipReason(own []string) string {
	for i := len(own) - 1; i >= 0; i-- {
		l := strings.TrimSpace(own[i])
		if l == "" {
			continue
		}
		l = strings.TrimSpace(logPrefixRE.ReplaceAllString(own[i], ""))
		if m := scriptSkipRE.FindStringSubmatch(l); m != nil { // a testscript `skip`
			return m[1] + m[2]
		}
		return l
	}
	return ""
}

// Line formats one result as `STATUS  area  case  duration  [skip reason]`.
func Line(r Result) string {
	l := fmt.Sprintf("%-4s  %-38s  %-46s  %7s", r.Status, r.Area, r.Case, fmt.Sprintf("%.2fs", r.Elapsed.Seconds()))
	if r.Status == Skip && r.Reason != "" {
		l += "  " + r.Reason
	}
	return l
}

// maxFailLines bounds the output printed under a failing case (its last lines).
const maxFailLines = 60

// Run reads a `go test -json` stream from in and writes the report to out.
// Non-JSON lines (e.g. a panic before test2json) are treated as package output.
// It returns the results and counts; the caller exits non-zero when Failed > 0.
func Run(in io.Reader, out io.Writer) ([]Result, Counts) {
	var results []Result
	c := NewCollector(func(r Result) {
		results = append(results, r)
		fmt.Fprintln(out, Line(r))
		if r.Status == Fail {
			lines := r.Output
			if len(lines) > maxFailLines { // the end says what failed
				lines = append([]string{fmt.Sprintf("... (%d earlier lines)", len(lines)-maxFailLines)}, lines[len(lines)-maxFailLines:]...)
			}
			for _, l := range lines {
				fmt.Fprintln(out, "      | "+l)
			}
		}
	})
	dec := json.NewDecoder(in)
	for {
		var e Event
		err := dec.Decode(&e)
		if err == io.EOF {
			break
		}
		if err != nil {
			// Not JSON: keep the rest as package output and stop.
			rest, _ := io.ReadAll(io.MultiReader(dec.Buffered(), in))
			for _, l := range strings.Split(strings.TrimSpace(string(rest)), "\n") {
				c.Add(Event{Action: "output", Output: l})
			}
			c.Add(Event{Action: "fail"})
			break
		}
		c.Add(e)
	}
	c.Finish()
	fmt.Fprintln(out, c.Counts().String())
	return results, c.Counts()
}
