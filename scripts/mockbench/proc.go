package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// proc is a server the benchmark started as a separate process.
type proc struct {
	cmd   *exec.Cmd
	first map[string]string // the JSON of its first stdout line
}

// startProc runs name with args and reads the JSON object of its first
// stdout line (bitbucket-mock's {"cloud":URL,"server":URL}).
func startProc(name string, args ...string) (*proc, error) {
	cmd := exec.Command(name, args...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &proc{cmd: cmd}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err == nil {
		err = json.Unmarshal([]byte(line), &p.first)
	}
	if err != nil {
		p.stop()
		return nil, fmt.Errorf("%s: first line: %w", name, err)
	}
	return p, nil
}

// stop sends SIGTERM and waits (SIGKILL after 10 seconds).
func (p *proc) stop() {
	p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		p.cmd.Process.Kill()
		<-done
	}
}

// rssKB is a /proc/PID/status field in kB: VmRSS now, VmHWM the peak.
func (p *proc) rssKB(field string) (int, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(p.cmd.Process.Pid) + "/status")
	if err != nil {
		return 0, fmt.Errorf("read rss: %w", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
		}
	}
	return 0, fmt.Errorf("read rss: no %s in /proc status", field)
}

// serveBare is the comparison: a minimal net/http handler in its own
// process, on loopback, answering "ok" to everything.
func serveBare() int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintf(os.Stderr, "mockbench: %v\n", err)
		return 1
	}
	first, _ := json.Marshal(map[string]string{"bare": "http://" + ln.Addr().String() + "/"})
	os.Stdout.Write(append(first, '\n'))
	err = http.Serve(ln, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("ok"))
	}))
	fmt.Fprintf(os.Stderr, "mockbench: %v\n", err)
	return 1
}
