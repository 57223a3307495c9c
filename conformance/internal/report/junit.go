package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strings"
)

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Classname string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

func seconds(d float64) string { return fmt.Sprintf("%.3f", d) }

// WriteJUnit writes results as JUnit XML: one testsuite per area, in order of
// first appearance, one testcase per case.
func WriteJUnit(w io.Writer, results []Result) error {
	index := map[string]int{}
	var suites []junitSuite
	var total float64
	all := junitSuites{}
	for _, r := range results {
		i, ok := index[r.Area]
		if !ok {
			i = len(suites)
			index[r.Area] = i
			suites = append(suites, junitSuite{Name: r.Area})
		}
		s := &suites[i]
		c := junitCase{Classname: r.Area, Name: r.Case, Time: seconds(r.Elapsed.Seconds())}
		switch r.Status {
		case Fail:
			c.Failure = &junitMessage{Message: "failed", Text: strings.Join(r.Output, "\n")}
			s.Failures++
			all.Failures++
		case Skip:
			c.Skipped = &junitMessage{Message: r.Reason}
			s.Skipped++
			all.Skipped++
		}
		s.Tests++
		all.Tests++
		s.Cases = append(s.Cases, c)
		total += r.Elapsed.Seconds()
	}
	for i := range suites {
		var t float64
		sort.SliceStable(suites[i].Cases, func(a, b int) bool { return suites[i].Cases[a].Name < suites[i].Cases[b].Name })
		for _, r := range results {
			if r.Area == suites[i].Name {
				t += r.Elapsed.Seconds()
			}
		}
		suites[i].Time = seconds(t)
	}
	all.Suites = suites
	all.Time = seconds(total)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(all); err != nil {
		return fmt.Errorf("write junit: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}
