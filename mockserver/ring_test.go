package mockserver_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bbcred/git-credential-bitbucket/mockserver"

	"github.com/bbcred/git-credential-bitbucket/mockserver/internal/mockhttp"
)

// logPaths reads GET /_mock/requests: the paths, oldest first, and the
// dropped and size headers.
func logPaths(t *testing.T, run *mockserver.Running, prefix string) (paths []string, dropped, size string) {
	t.Helper()
	r := mockhttp.Get(t, run.CloudURL+"/_mock/requests?path="+prefix, "")
	var log []mockserver.LoggedRequest
	if err := json.Unmarshal(r.Body, &log); err != nil || r.Status != http.StatusOK {
		t.Fatalf("requests: %d %s", r.Status, r.Body)
	}
	paths = []string{}
	for _, e := range log {
		paths = append(paths, e.Path)
	}
	return paths, r.Header.Get("X-Mock-Requests-Dropped"), r.Header.Get("X-Mock-Request-Log-Size")
}

// TestRequestLogRing: the log keeps the newest N requests in order, counts
// the dropped ones, can be resized through the control API, and reset
// empties it (the size stays).
func TestRequestLogRing(t *testing.T) {
	t.Parallel()
	run := mockhttp.CloudMock(t, mockserver.Options{RequestLog: 3}, nil)
	for i := range 5 {
		mockhttp.Get(t, fmt.Sprintf("%s/2.0/repositories/r%d", run.CloudURL, i), "")
	}
	paths, dropped, size := logPaths(t, run, "")
	want := []string{"/2.0/repositories/r2", "/2.0/repositories/r3", "/2.0/repositories/r4"}
	if diff := cmp.Diff(want, paths); diff != "" || dropped != "2" || size != "3" {
		t.Fatalf("full ring: dropped %q size %q, paths (-want +got):\n%s", dropped, size, diff)
	}
	if paths, dropped, _ := logPaths(t, run, "/2.0/repositories/r4"); len(paths) != 1 || dropped != "2" {
		t.Errorf("filtered: %v, dropped %q", paths, dropped)
	}
	if entries, n := run.Mock.RequestLog(""); len(entries) != 3 || n != 2 {
		t.Errorf("RequestLog: %d entries, %d dropped", len(entries), n)
	}

	r := mockhttp.ControlPost(t, run.CloudURL, "/_mock/requests", `{"size":2}`)
	if r.Status != http.StatusOK || r.JSON(t)["size"] != float64(2) || r.JSON(t)["dropped"] != float64(3) {
		t.Fatalf("resize: %d %s", r.Status, r.Body)
	}
	mockhttp.Get(t, run.CloudURL+"/2.0/repositories/r5", "")
	paths, dropped, size = logPaths(t, run, "")
	if diff := cmp.Diff([]string{"/2.0/repositories/r4", "/2.0/repositories/r5"}, paths); diff != "" || dropped != "4" || size != "2" {
		t.Errorf("after resize: dropped %q size %q, paths (-want +got):\n%s", dropped, size, diff)
	}
	for _, body := range []string{`{"size":0}`, `{"size":-1}`, `{"size":100001}`, `{"capacity":5}`, `nope`} {
		if r := mockhttp.ControlPost(t, run.CloudURL, "/_mock/requests", body); r.Status != http.StatusBadRequest {
			t.Errorf("resize %s: %d %s, want 400", body, r.Status, r.Body)
		}
	}

	mockhttp.ControlPost(t, run.CloudURL, "/_mock/reset", `{}`)
	if paths, dropped, size := logPaths(t, run, ""); len(paths) != 0 || dropped != "0" || size != "2" {
		t.Errorf("after reset: %v, dropped %q, size %q", paths, dropped, size)
	}
}

// TestRequestLogDefaultSize: 10,000 entries unless told otherwise.
func TestRequestLogDefaultSize(t *testing.T) {
	t.Parallel()
	run := mockhttp.CloudMock(t, mockserver.Options{}, nil)
	if _, dropped, size := logPaths(t, run, ""); size != "10000" || dropped != "0" {
		t.Errorf("default: size %q, dropped %q", size, dropped)
	}
}
