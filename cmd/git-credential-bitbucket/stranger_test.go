package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/rogpeppe/go-internal/testscript"
)

// cmdListen401 starts a loopback HTTP server nobody configured, answering
// every request with 401 and a Basic challenge, as any git host does
// before it has credentials: listen401 NAME. It sets NAME_URL and
// NAME_HOST, and appends each request, headers and body included, to
// $WORK/NAME.log, so that a script can check that no token request and no
// secret ever reached it (nosecrets NAME.log, grep).
func cmdListen401(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 || neg {
		ts.Fatalf("usage: listen401 NAME")
	}
	name := args[0]
	logPath := filepath.Join(ts.Getenv("WORK"), name+".log")
	ts.Check(os.WriteFile(logPath, nil, 0o600))
	var mu sync.Mutex
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		var b strings.Builder
		auth := "none"
		if a := r.Header.Get("Authorization"); a != "" {
			auth, _, _ = strings.Cut(a, " ")
		}
		fmt.Fprintf(&b, "request %s %s auth=%s\n", r.Method, r.URL.RequestURI(), auth)
		keys := make([]string, 0, len(r.Header))
		for k := range r.Header {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, "  %s: %s\n", k, strings.Join(r.Header[k], ", "))
		}
		if len(body) > 0 {
			fmt.Fprintf(&b, "  body: %s\n", body)
		}
		mu.Lock()
		f, err := os.OpenFile(logPath, os.O_APPEND|os.O_WRONLY, 0o600)
		if err == nil {
			io.WriteString(f, b.String())
			f.Close()
		}
		mu.Unlock()
		w.Header().Set("WWW-Authenticate", `Basic realm="Somewhere else"`)
		http.Error(w, "authentication required", http.StatusUnauthorized)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	srv := &http.Server{Handler: handler}
	go srv.Serve(ln)
	ts.Defer(func() { srv.Close() })
	ts.Setenv(strings.ToUpper(name)+"_URL", "http://"+ln.Addr().String())
	ts.Setenv(strings.ToUpper(name)+"_HOST", ln.Addr().String())
}
