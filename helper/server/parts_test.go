package server

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestTokenPermissions(t *testing.T) {
	t.Parallel()
	for in, want := range map[string][]string{
		"":                          {"REPO_READ", "REPO_WRITE"},
		"REPO_READ":                 {"REPO_READ"},
		"repo_write, project_read ": {"REPO_WRITE", "PROJECT_READ"},
		"REPO_ADMIN,,PROJECT_ADMIN": {"REPO_ADMIN", "PROJECT_ADMIN"},
	} {
		if diff := cmp.Diff(want, tokenPermissions(in)); diff != "" {
			t.Errorf("tokenPermissions(%q) (-want +got):\n%s", in, diff)
		}
	}
}

func TestJSONTime(t *testing.T) {
	t.Parallel()
	ms := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		raw  string
		want time.Time
		ok   bool
	}{
		{"1795780800000", ms, true},
		{`"1795780800000"`, ms, true},
		{`"2026-11-27T12:00:00Z"`, ms, true},
		{"null", time.Time{}, false},
		{"", time.Time{}, false},
		{`"soon"`, time.Time{}, false},
		{"-5", time.Time{}, false},
	}
	for _, tt := range tests {
		got, ok := jsonTime(json.RawMessage(tt.raw))
		if ok != tt.ok || !got.Equal(tt.want) {
			t.Errorf("jsonTime(%s) = %v, %v; want %v, %v", tt.raw, got, ok, tt.want, tt.ok)
		}
	}
}

func TestReadLine(t *testing.T) {
	t.Parallel()
	r := strings.NewReader("  V123 \nrest")
	got, err := readLine(t.Context(), r)
	if err != nil || got != "V123" {
		t.Fatalf("readLine = %q, %v", got, err)
	}
	if rest, _ := io.ReadAll(r); string(rest) != "rest" {
		t.Errorf("readLine read past the line: rest %q", rest)
	}
	if got, err := readLine(t.Context(), strings.NewReader("last")); err != nil || got != "last" {
		t.Errorf("readLine at EOF = %q, %v", got, err)
	}
	if _, err := readLine(t.Context(), strings.NewReader("")); !errors.Is(err, io.EOF) {
		t.Errorf("readLine of nothing = %v, want EOF", err)
	}
	pr, pw := io.Pipe()
	defer pw.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if _, err := readLine(ctx, pr); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("readLine on a silent terminal = %v, want a deadline", err)
	}
}

func TestPastedRedirect(t *testing.T) {
	t.Parallel()
	got := pastedRedirect("http://127.0.0.1:7777/callback?code=C&state=S", "mine")
	if diff := cmp.Diff(url.Values{"code": {"C"}, "state": {"S"}}, got); diff != "" {
		t.Errorf("URL (-want +got):\n%s", diff)
	}
	got = pastedRedirect("C0DE", "mine")
	if diff := cmp.Diff(url.Values{"code": {"C0DE"}, "state": {"mine"}}, got); diff != "" {
		t.Errorf("bare code (-want +got):\n%s", diff)
	}
}

func TestStartCallback(t *testing.T) {
	t.Parallel()
	p := New()
	for _, bad := range []string{"https://127.0.0.1/cb", "http://example.com/cb", "http://10.0.0.1:80/cb", "http://127.example.com/cb", "::"} {
		if _, err := p.startCallback(bad, "/x"); err == nil || !strings.Contains(err.Error(), "loopback") {
			t.Errorf("startCallback(%q) = %v, want a loopback error", bad, err)
		}
	}
	cb, err := p.startCallback("http://localhost:0/cb/here", "/x")
	if err != nil {
		t.Fatal(err)
	}
	defer cb.close()
	if !strings.HasPrefix(cb.url, "http://localhost:") || !strings.HasSuffix(cb.url, "/cb/here") || strings.Contains(cb.url, ":0/") {
		t.Errorf("callback URL %q", cb.url)
	}
	// Other paths are not the redirect.
	u, _ := url.Parse(cb.url)
	resp, err := http.Get("http://127.0.0.1:" + u.Port() + "/favicon.ico")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("other path: HTTP %d", resp.StatusCode)
	}
	resp, err = http.Get("http://127.0.0.1:" + u.Port() + "/cb/here?code=1&state=2")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	q, err := cb.wait(t.Context())
	if err != nil || q.Get("code") != "1" {
		t.Errorf("wait = %v, %v", q, err)
	}
}
