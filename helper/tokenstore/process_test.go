//go:build unix

package tokenstore

// Tests that run the store from several processes: this test binary re-runs
// itself with -test.run=^TestHelperProcess$ and an environment variable that
// selects what the child does.

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

const (
	roleEnv   = "TOKENSTORE_TEST_ROLE"
	dirEnv    = "TOKENSTORE_TEST_DIR"
	idEnv     = "TOKENSTORE_TEST_ID"
	roundsEnv = "TOKENSTORE_TEST_ROUNDS"
)

// TestHelperProcess is not a test: it is the body of the child processes.
func TestHelperProcess(t *testing.T) {
	role := os.Getenv(roleEnv)
	if role == "" {
		return
	}
	if err := runRole(role); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", role, err)
		os.Exit(1)
	}
	os.Exit(0)
}

func runRole(role string) error {
	// 32 race-instrumented processes on a loaded 2-core machine can queue for
	// the write lock for a while: wait longer than a user-facing get would.
	s := &Store{Dir: os.Getenv(dirEnv), WriteLockTimeout: 2 * time.Minute}
	id, _ := strconv.Atoi(os.Getenv(idEnv))
	rounds, _ := strconv.Atoi(os.Getenv(roundsEnv))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	switch role {
	case "put":
		for i := range rounds {
			if err := s.Put(writerRecord(id, i)); err != nil {
				return err
			}
		}
	case "counter":
		for range rounds {
			if err := incrementCounter(ctx, s, func() {}); err != nil {
				return err
			}
		}
	case "pause-writer":
		s.beforeRename = func() {
			fmt.Println("ready")
			time.Sleep(30 * time.Second)
			fmt.Fprintln(os.Stderr, "pause-writer: not killed")
			os.Exit(1)
		}
		return s.Put(writerRecord(id, 0))
	case "loop-writer":
		for i := range 10000 {
			if err := s.Put(loopRecord(i)); err != nil {
				return err
			}
			if i == 0 {
				fmt.Println("started")
			}
		}
	case "hold-lock":
		if _, err := s.Lock(ctx, lockKey); err != nil {
			return err
		}
		fmt.Println("locked")
		_, _ = io.Copy(io.Discard, os.Stdin) // until the parent closes stdin or kills us
	default:
		return fmt.Errorf("unknown role")
	}
	return nil
}

// writerRecord is what writer id puts in round i.
func writerRecord(id, i int) *Record {
	r := testRecord("writer"+strconv.Itoa(id), bigToken(fmt.Sprintf("w%d-%d", id, i), 3000))
	r.Account = strconv.Itoa(i)
	return r
}

// loopRecord is what the loop writer puts in round i: sizes vary so that a
// torn write would show.
func loopRecord(i int) *Record {
	r := testRecord("loop", bigToken("loop"+strconv.Itoa(i), 32<<10+(i%7)<<10))
	r.Account = strconv.Itoa(i)
	return r
}

// child is a running helper process.
type child struct {
	cmd    *exec.Cmd
	stdout *bufio.Reader
	stdin  io.WriteCloser
	stderr *bytes.Buffer
}

func startChild(t *testing.T, role, dir string, env ...string) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1", "-test.timeout=2m")
	// The race detector otherwise sleeps a second at exit.
	gorace := strings.TrimSpace(os.Getenv("GORACE") + " atexit_sleep_ms=0")
	cmd.Env = append(os.Environ(), "GORACE="+gorace, roleEnv+"="+role, dirEnv+"="+dir)
	cmd.Env = append(cmd.Env, env...)
	c := &child{cmd: cmd, stderr: &bytes.Buffer{}}
	cmd.Stderr = c.stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	c.stdout = bufio.NewReader(out)
	if c.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	return c
}

// expectLine waits for the child to print want.
func (c *child) expectLine(t *testing.T, want string) {
	t.Helper()
	got := make(chan string, 1)
	go func() {
		line, _ := c.stdout.ReadString('\n')
		got <- strings.TrimSpace(line)
	}()
	select {
	case line := <-got:
		if line != want {
			_ = c.cmd.Process.Kill()
			_ = c.cmd.Wait()
			t.Fatalf("child printed %q, want %q; stderr: %s", line, want, c.stderr)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("child did not print %q in time", want)
	}
}

// wait waits for the child to exit successfully.
func (c *child) wait(t *testing.T) {
	t.Helper()
	_ = c.stdin.Close()
	if err := c.cmd.Wait(); err != nil {
		t.Errorf("child %v: %v; stderr: %s", c.cmd.Env[len(c.cmd.Env)-1], err, c.stderr)
	}
}

// kill SIGKILLs the child and reaps it.
func (c *child) kill(t *testing.T) {
	t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := c.cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("child ended with %v, want killed by SIGKILL; stderr: %s", err, c.stderr)
	}
}

func TestConcurrentProcessesLoseNoWrite(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	const procs, rounds = 32, 4

	// Readers take no lock: while the writers run, every read must see a
	// whole file.
	var stop atomic.Bool
	var reads atomic.Int64
	var readers sync.WaitGroup
	readers.Go(func() {
		for !stop.Load() {
			if _, err := s.List(); err != nil {
				t.Errorf("List during concurrent writes: %v", err)
				return
			}
			reads.Add(1)
			time.Sleep(20 * time.Millisecond)
		}
	})

	children := make([]*child, procs)
	for i := range procs {
		children[i] = startChild(t, "put", s.Dir, roundsEnv+"="+strconv.Itoa(rounds), idEnv+"="+strconv.Itoa(i))
	}
	for _, c := range children {
		c.wait(t)
	}
	stop.Store(true)
	readers.Wait()

	recs, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != procs {
		t.Errorf("store holds %d records, want %d", len(recs), procs)
	}
	for i := range procs {
		want := writerRecord(i, rounds-1)
		got, err := s.Get(want.Key)
		if err != nil {
			t.Fatal(err)
		}
		if got == nil || got.AccessToken != want.AccessToken || got.Account != want.Account {
			t.Errorf("record of writer %d is %v, want its round %d", i, got, rounds-1)
		}
	}
	t.Logf("%d reads during the writes", reads.Load())
}

func TestProcessesSerializeOnKeyLock(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	const procs, rounds = 6, 8
	children := make([]*child, procs)
	for i := range procs {
		children[i] = startChild(t, "counter", s.Dir, roundsEnv+"="+strconv.Itoa(rounds))
	}
	for _, c := range children {
		c.wait(t)
	}
	if got := readCounter(t, s); got != procs*rounds {
		t.Errorf("counter = %d, want %d", got, procs*rounds)
	}
}

func TestKeyLockAcrossProcesses(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	c := startChild(t, "hold-lock", s.Dir)
	c.expectLine(t, "locked")

	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	if _, err := s.Lock(ctx, lockKey); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Lock while another process holds it: %v, want DeadlineExceeded", err)
	}

	// The kernel drops a dead process's locks.
	c.kill(t)
	ctx, cancel = context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	unlock, err := s.Lock(ctx, lockKey)
	if err != nil {
		t.Fatalf("Lock after the holder was killed: %v", err)
	}
	unlock()
}

func TestKillDuringWriteKeepsPreviousContent(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	for _, user := range []string{"a", "b", "c"} {
		r := testRecord(user, bigToken(user, 64<<10))
		if err := s.Put(r); err != nil {
			t.Fatal(err)
		}
	}
	before, err := os.ReadFile(s.Path())
	if err != nil {
		t.Fatal(err)
	}

	c := startChild(t, "pause-writer", s.Dir, idEnv+"=7")
	c.expectLine(t, "ready") // temp file written and synced, not renamed
	temps := tempFiles(t, s)
	if len(temps) != 1 {
		t.Fatalf("temporary files while the writer is paused: %v, want one", temps)
	}
	c.kill(t)

	after, err := os.ReadFile(s.Path())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Fatal("store file changed although the writer died before its rename")
	}
	recs, err := s.List()
	if err != nil {
		t.Fatalf("List after the kill: %v", err)
	}
	if len(recs) != 3 {
		t.Errorf("List after the kill: %d records, want 3", len(recs))
	}
	if got, err := s.Get(writerRecord(7, 0).Key); err != nil || got != nil {
		t.Errorf("Get of the killed writer's key = %v, %v; want nil, nil", got, err)
	}
	if got := tempFiles(t, s); len(got) != 1 {
		t.Errorf("temporary files after the kill: %v, want the dead writer's one", got)
	}

	// The dead writer released the store lock; the next write cleans up.
	s.WriteLockTimeout = 10 * time.Second
	if err := s.Put(testRecord("d", "token-d")); err != nil {
		t.Fatal(err)
	}
	if got := tempFiles(t, s); len(got) != 0 {
		t.Errorf("temporary files after the next write: %v, want none", got)
	}
	if recs, err := s.List(); err != nil || len(recs) != 4 {
		t.Errorf("List after the next write: %d records, %v; want 4", len(recs), err)
	}
}

func TestKillDuringWriteLoop(t *testing.T) {
	t.Parallel()
	s := newStore(t)
	if err := s.Put(testRecord("other", bigToken("other", 8<<10))); err != nil {
		t.Fatal(err)
	}
	for _, delay := range []time.Duration{0, 7 * time.Millisecond, 31 * time.Millisecond, 97 * time.Millisecond} {
		c := startChild(t, "loop-writer", s.Dir)
		c.expectLine(t, "started")
		time.Sleep(delay)
		c.kill(t)

		recs, err := s.List()
		if err != nil {
			t.Fatalf("List after killing the writer at +%v: %v", delay, err)
		}
		if len(recs) != 2 {
			t.Fatalf("List after killing the writer at +%v: %d records, want 2", delay, len(recs))
		}
		got, err := s.Get(loopRecord(0).Key)
		if err != nil || got == nil {
			t.Fatalf("Get of the loop record = %v, %v", got, err)
		}
		i, err := strconv.Atoi(got.Account)
		if err != nil {
			t.Fatal(err)
		}
		if want := loopRecord(i); got.AccessToken != want.AccessToken || got.RefreshToken != want.RefreshToken {
			t.Errorf("loop record of round %d is torn", i)
		}
	}
	if err := s.Put(testRecord("after", "t")); err != nil {
		t.Fatal(err)
	}
	if got := tempFiles(t, s); len(got) != 0 {
		t.Errorf("temporary files after the next write: %v, want none", got)
	}
}

func tempFiles(t *testing.T, s *Store) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(s.Dir, tempPrefix+"*"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}
