package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const pkg = "github.com/bbcred/git-credential-bitbucket/conformance"

func ev(action, test string, elapsed float64, output string) Event {
	return Event{Action: action, Package: pkg, Test: test, Elapsed: elapsed, Output: output}
}

func stream(t *testing.T, events []Event) string {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	for _, e := range events {
		if err := enc.Encode(e); err != nil {
			t.Fatal(err)
		}
	}
	return b.String()
}

func TestRun(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		events    []Event
		extra     string // appended raw to the stream
		wantLines []string
		want      Counts
	}{
		{
			name: "pass fail skip",
			events: []Event{
				ev("run", "TestInProcess", 0, ""),
				ev("run", "TestInProcess/cloud-oauth2/client-credentials", 0, ""),
				ev("output", "TestInProcess/cloud-oauth2/client-credentials", 0, "=== RUN   TestInProcess/cloud-oauth2/client-credentials\n"),
				ev("output", "TestInProcess/cloud-oauth2/client-credentials", 0, "--- PASS: TestInProcess/cloud-oauth2/client-credentials (0.12s)\n"),
				ev("pass", "TestInProcess/cloud-oauth2/client-credentials", 0.12, ""),
				ev("run", "TestInProcess/cloud-rest/user", 0, ""),
				ev("output", "TestInProcess/cloud-rest/user", 0, "    cloud_rest.go:40: status 500, want 200\n"),
				ev("output", "TestInProcess/cloud-rest/user", 0, "--- FAIL: TestInProcess/cloud-rest/user (1.50s)\n"),
				ev("fail", "TestInProcess/cloud-rest/user", 1.5, ""),
				ev("run", "TestInProcess/cloud-rest/expired", 0, ""),
				ev("output", "TestInProcess/cloud-rest/expired", 0, "    cases.go:77: target has no clock\n"),
				ev("output", "TestInProcess/cloud-rest/expired", 0, "--- SKIP: TestInProcess/cloud-rest/expired (0.00s)\n"),
				ev("skip", "TestInProcess/cloud-rest/expired", 0, ""),
				ev("fail", "TestInProcess", 1.7, ""),
				{Action: "fail", Package: pkg, Elapsed: 1.9},
			},
			wantLines: []string{
				"PASS  inprocess/cloud-oauth2                  client-credentials                                0.12s",
				"FAIL  inprocess/cloud-rest                    user                                              1.50s",
				"      |     cloud_rest.go:40: status 500, want 200",
				"SKIP  inprocess/cloud-rest                    expired                                           0.00s  target has no clock",
				"1 passed, 1 failed, 1 skipped",
			},
			want: Counts{Passed: 1, Failed: 1, Skipped: 1},
		},
		{
			name: "deeper subtests fold into their case",
			events: []Event{
				ev("run", "TestBinary/helper/clone", 0, ""),
				ev("run", "TestBinary/helper/clone/clone", 0, ""),
				ev("output", "TestBinary/helper/clone/clone", 0, "    testscript.go:1: > exec git clone\n"),
				ev("pass", "TestBinary/helper/clone/clone", 1.8, ""),
				ev("pass", "TestBinary/helper/clone", 0.9, ""),
				ev("pass", "TestBinary", 1, ""),
			},
			wantLines: []string{
				"PASS  binary/helper                           clone                                             1.80s",
				"1 passed, 0 failed, 0 skipped",
			},
			want: Counts{Passed: 1},
		},
		{
			name: "a case whose subtests all skipped is a skip",
			events: []Event{
				ev("output", "TestInProcess/helper/modern/modern", 0, "        > [!modern-git] skip 'MODERN_GIT is not set'\n"),
				ev("skip", "TestInProcess/helper/modern/modern", 0.1, ""),
				ev("pass", "TestInProcess/helper/modern", 0.2, ""),
			},
			wantLines: []string{
				"SKIP  inprocess/helper                        modern                                            0.20s  MODERN_GIT is not set",
				"0 passed, 0 failed, 1 skipped",
			},
			want: Counts{Skipped: 1},
		},
		{
			name: "setup failure of a parent with no cases",
			events: []Event{
				ev("run", "TestBinary", 0, ""),
				ev("output", "TestBinary", 0, "    binary_test.go:20: start mock: exec: not found\n"),
				ev("fail", "TestBinary", 0.01, ""),
				{Action: "fail", Package: pkg, Elapsed: 0.02},
			},
			wantLines: []string{
				"FAIL  binary                                  -                                                 0.01s",
				"      |     binary_test.go:20: start mock: exec: not found",
				"0 passed, 1 failed, 0 skipped",
			},
			want: Counts{Failed: 1},
		},
		{
			name: "parent fails on its own after passing cases",
			events: []Event{
				ev("pass", "TestInProcess/server-rest/request-id", 0.2, ""),
				ev("output", "TestInProcess", 0, "    conformance_test.go:9: cleanup: mock did not stop\n"),
				ev("fail", "TestInProcess", 0.3, ""),
			},
			wantLines: []string{
				"PASS  inprocess/server-rest                   request-id                                        0.20s",
				"FAIL  inprocess                               -                                                 0.30s",
				"      |     conformance_test.go:9: cleanup: mock did not stop",
				"1 passed, 1 failed, 0 skipped",
			},
			want: Counts{Passed: 1, Failed: 1},
		},
		{
			name: "whole real target skipped",
			events: []Event{
				ev("output", "TestReal", 0, "    real_test.go:12: no real Bitbucket configured (set CONFORMANCE_CLOUD_URL ...)\n"),
				ev("skip", "TestReal", 0, ""),
			},
			wantLines: []string{
				"SKIP  real                                    -                                                 0.00s  no real Bitbucket configured (set CONFORMANCE_CLOUD_URL ...)",
				"0 passed, 0 failed, 1 skipped",
			},
			want: Counts{Skipped: 1},
		},
		{
			name: "build failure",
			events: []Event{
				{Action: "build-output", Package: pkg, Output: "conformance/x.go:1:1: syntax error\n"},
				{Action: "build-fail", Package: pkg},
				{Action: "fail", Package: pkg},
			},
			wantLines: []string{
				"FAIL  conformance                             (package)                                         0.00s",
				"      | conformance/x.go:1:1: syntax error",
				"0 passed, 1 failed, 0 skipped",
			},
			want: Counts{Failed: 1},
		},
		{
			name:   "empty stream fails",
			events: nil,
			wantLines: []string{
				"FAIL  conformance                             (no cases ran)                                    0.00s",
				"0 passed, 1 failed, 0 skipped",
			},
			want: Counts{Failed: 1},
		},
		{
			name: "non-JSON garbage is a failure",
			events: []Event{
				ev("pass", "TestInProcess/cloud-git/challenge", 0.05, ""),
			},
			extra: "panic: runtime error\ngoroutine 1\n",
			wantLines: []string{
				"PASS  inprocess/cloud-git                     challenge                                         0.05s",
				"FAIL  conformance                             (package)                                         0.00s",
				"      | panic: runtime error",
				"      | goroutine 1",
				"1 passed, 1 failed, 0 skipped",
			},
			want: Counts{Passed: 1, Failed: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			_, got := Run(strings.NewReader(stream(t, tt.events)+tt.extra), &out)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("counts (-want +got):\n%s", diff)
			}
			lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
			if diff := cmp.Diff(tt.wantLines, lines); diff != "" {
				t.Errorf("report (-want +got):\n%s", diff)
			}
		})
	}
}

func TestClosingLineIsLast(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	Run(strings.NewReader(stream(t, []Event{ev("pass", "TestA/b/c", 0, "")})), &out)
	lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	if got, want := lines[len(lines)-1], "1 passed, 0 failed, 0 skipped"; got != want {
		t.Errorf("last line = %q, want %q", got, want)
	}
}

func TestWriteJUnit(t *testing.T) {
	t.Parallel()
	results := []Result{
		{Status: Pass, Area: "inprocess/cloud-oauth2", Case: "implicit", Elapsed: 120e6},
		{Status: Fail, Area: "inprocess/cloud-oauth2", Case: "client-credentials", Output: []string{"got 500 <html>"}},
		{Status: Skip, Area: "real/cloud-rest", Case: "expired", Reason: "target has no clock"},
	}
	var b bytes.Buffer
	if err := WriteJUnit(&b, results); err != nil {
		t.Fatal(err)
	}
	var got junitSuites
	if err := xml.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatalf("output is not XML: %v\n%s", err, b.String())
	}
	want := junitSuites{
		XMLName: xml.Name{Local: "testsuites"}, Tests: 3, Failures: 1, Skipped: 1, Time: "0.120",
		Suites: []junitSuite{
			{Name: "inprocess/cloud-oauth2", Tests: 2, Failures: 1, Time: "0.120", Cases: []junitCase{
				{Classname: "inprocess/cloud-oauth2", Name: "client-credentials", Time: "0.000",
					Failure: &junitMessage{Message: "failed", Text: "got 500 <html>"}},
				{Classname: "inprocess/cloud-oauth2", Name: "implicit", Time: "0.120"},
			}},
			{Name: "real/cloud-rest", Tests: 1, Skipped: 1, Time: "0.000", Cases: []junitCase{
				{Classname: "real/cloud-rest", Name: "expired", Time: "0.000",
					Skipped: &junitMessage{Message: "target has no clock"}},
			}},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("junit (-want +got):\n%s", diff)
	}
}
