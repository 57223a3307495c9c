package conformance

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/bbcred/git-credential-bitbucket/mockserver"
)

// Binary returns a factory of targets served by the bitbucket-mock binary at
// path, started with fixtures read from `bitbucket-mock fixtures` and
// completed with what the cases need. Cases share one process; a case that
// needs exclusive state (clock, faults) gets a process of its own. Every
// ability goes through the /_mock/ control API.
func Binary(t *testing.T, path string) NewTarget {
	t.Helper()
	return BinaryEra(t, path, "")
}

// BinaryEra is Binary with every process started with --cloud-era era
// ("2025" or "2026"; "" = no flag, the fixtures' era).
func BinaryEra(t *testing.T, path, era string) NewTarget {
	t.Helper()
	f := &binaryFactory{path: path, dir: t.TempDir(), era: era}
	if err := f.prepare(); err != nil {
		t.Fatalf("bitbucket-mock binary: %v", err)
	}
	t.Cleanup(f.stopShared)
	return f.newTarget
}

type binaryFactory struct {
	path     string
	era      string // --cloud-era for every process ("" = none)
	dir      string // fixtures file, repositories
	fixtures *mockserver.Fixtures
	file     string

	mu     sync.Mutex
	shared *mockProcess
}

func (f *binaryFactory) prepare() error {
	out, err := exec.Command(f.path, "fixtures").Output()
	if err != nil {
		return fmt.Errorf("%s fixtures: %w", f.path, err)
	}
	var fx mockserver.Fixtures
	if err := json.Unmarshal(out, &fx); err != nil {
		return fmt.Errorf("parse `bitbucket-mock fixtures`: %w", err)
	}
	if err := completeFixtures(&fx); err != nil {
		return err
	}
	if err := addHelperDCClient(&fx); err != nil {
		return err
	}
	f.fixtures = &fx
	f.file = filepath.Join(f.dir, "fixtures.json")
	if err := writeFixtures(f.file, &fx); err != nil {
		return err
	}
	// The flag, not the file, sets the era; the suite's view knows it.
	if f.era != "" {
		fx.Cloud.Era = f.era
	}
	// The shared process creates the repositories before any other starts.
	p, err := startMockProcess(f.path, f.file, filepath.Join(f.dir, "repos"), f.flags()...)
	if err != nil {
		return err
	}
	f.shared = p
	return nil
}

// flags are the extra command-line flags of every process of f.
func (f *binaryFactory) flags() []string {
	if f.era == "" {
		return nil
	}
	return []string{"--cloud-era", f.era}
}

func writeFixtures(path string, fx *mockserver.Fixtures) error {
	b, err := json.MarshalIndent(fx, "", "  ")
	if err != nil {
		return fmt.Errorf("write fixtures: %w", err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return fmt.Errorf("write fixtures: %w", err)
	}
	return nil
}

func (f *binaryFactory) stopShared() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.shared != nil {
		f.shared.stop()
		f.shared = nil
	}
}

func (f *binaryFactory) newTarget(t *testing.T, n Needs) Target {
	t.Helper()
	if !n.Exclusive {
		f.mu.Lock()
		p := f.shared
		f.mu.Unlock()
		if p == nil {
			t.Fatal("bitbucket-mock binary: shared process already stopped")
		}
		tgt, err := newBinaryTarget(p, f.fixtures, f)
		if err != nil {
			t.Fatal(err)
		}
		return tgt
	}
	p, err := startMockProcess(f.path, f.file, filepath.Join(f.dir, "repos"), f.flags()...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := p.stop(); err != nil {
			t.Errorf("stop bitbucket-mock: %v", err)
		}
	})
	tgt, err := newBinaryTarget(p, f.fixtures, f)
	if err != nil {
		t.Fatal(err)
	}
	return tgt
}

// mockProcess is one running bitbucket-mock.
type mockProcess struct {
	cmd    *exec.Cmd
	Cloud  string `json:"cloud"`
	Server string `json:"server"`
	stderr *syncBuffer
	done   chan error
}

// startMockProcess starts bitbucket-mock and reads its first stdout line.
func startMockProcess(path, fixtures, repos string, extra ...string) (*mockProcess, error) {
	args := append([]string{"--fixtures", fixtures, "--repos", repos}, extra...)
	cmd := exec.Command(path, args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("start bitbucket-mock: %w", err)
	}
	p := &mockProcess{cmd: cmd, stderr: &syncBuffer{}, done: make(chan error, 1)}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start bitbucket-mock: %w", err)
	}
	lines := make(chan string, 1)
	go func() {
		r := bufio.NewReader(stdout)
		l, _ := r.ReadString('\n')
		lines <- l
		io.Copy(io.Discard, r)
	}()
	go func() { p.done <- cmd.Wait() }()
	select {
	case l := <-lines:
		if err := json.Unmarshal([]byte(l), p); err != nil || p.Cloud == "" || p.Server == "" {
			p.stop()
			return nil, fmt.Errorf("bitbucket-mock first line %q is not the listener JSON (stderr: %s)", strings.TrimSpace(l), p.stderr.String())
		}
		return p, nil
	case <-time.After(30 * time.Second):
		p.stop()
		return nil, fmt.Errorf("bitbucket-mock did not print its listeners within 30s (stderr: %s)", p.stderr.String())
	}
}

// stop sends SIGTERM and waits; a mock that does not stop in 5 s is killed
// and reported.
func (p *mockProcess) stop() error {
	if p.cmd.Process == nil {
		return nil
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		if err != nil {
			return fmt.Errorf("bitbucket-mock exited with %v (stderr: %.2000s)", err, p.stderr.String())
		}
		return nil
	case <-time.After(5 * time.Second):
		p.cmd.Process.Kill()
		<-p.done
		return fmt.Errorf("bitbucket-mock ignored SIGTERM for 5s")
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// binaryTarget reaches a mock process only over HTTP.
type binaryTarget struct {
	*control
	proc     *mockProcess
	factory  *binaryFactory
	fixtures *mockserver.Fixtures
	cloud    *Cloud
	server   *Server
}

var (
	_ Clock          = (*binaryTarget)(nil)
	_ Faults         = (*binaryTarget)(nil)
	_ RequestLog     = (*binaryTarget)(nil)
	_ AutoConsent    = (*binaryTarget)(nil)
	_ Resetter       = (*binaryTarget)(nil)
	_ Revoker        = (*binaryTarget)(nil)
	_ CustomFixtures = (*binaryTarget)(nil)
	_ RefreshControl = (*binaryTarget)(nil)
)

func newBinaryTarget(p *mockProcess, fx *mockserver.Fixtures, f *binaryFactory) (*binaryTarget, error) {
	srvURL := strings.TrimSuffix(p.Server, "/")
	cp, err := contextPathOf(srvURL)
	if err != nil {
		return nil, err
	}
	srv, err := serverFromFixtures(srvURL, cp, fx.Server)
	if err != nil {
		return nil, err
	}
	return &binaryTarget{
		control:  &control{base: p.Cloud, http: &http.Client{Timeout: 10 * time.Second}},
		proc:     p,
		factory:  f,
		fixtures: fx,
		cloud:    cloudFromFixtures(p.Cloud, fx.Cloud),
		server:   srv,
	}, nil
}

func contextPathOf(u string) (string, error) {
	i := strings.Index(u, "://")
	if i < 0 {
		return "", fmt.Errorf("server URL %q has no scheme", u)
	}
	rest := u[i+3:]
	if j := strings.Index(rest, "/"); j >= 0 {
		return rest[j:], nil
	}
	return "", nil
}

func (b *binaryTarget) Name() string    { return "binary" }
func (b *binaryTarget) Cloud() *Cloud   { return b.cloud }
func (b *binaryTarget) Server() *Server { return b.server }

func (b *binaryTarget) Approve(ctx context.Context, c *http.Client, u string) (*http.Response, error) {
	return approve(ctx, c, u)
}

func (b *binaryTarget) WithFixtures(t *testing.T, edit func(*mockserver.Fixtures)) Target {
	t.Helper()
	fx := cloneFixtures(b.fixtures)
	edit(fx)
	dir := t.TempDir()
	file := filepath.Join(dir, "fixtures.json")
	if err := writeFixtures(file, fx); err != nil {
		t.Fatal(err)
	}
	p, err := startMockProcess(b.factory.path, file, filepath.Join(dir, "repos"), b.factory.flags()...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := p.stop(); err != nil {
			t.Errorf("stop bitbucket-mock: %v", err)
		}
	})
	tgt, err := newBinaryTarget(p, fx, b.factory)
	if err != nil {
		t.Fatal(err)
	}
	return tgt
}

func (b *binaryTarget) Fixtures() *mockserver.Fixtures { return cloneFixtures(b.fixtures) }
