// Command mockbench measures bitbucket-mock under load (issue 15): requests
// per second for the Cloud token endpoint, a signed OAuth 1 REST call and an
// authenticated git info/refs, each as a ratio to a minimal net/http handler
// measured in the same run, and the mock's RSS after 10,000 and after
// 200,000 mixed requests. The mock runs as its own process (the
// bitbucket-mock binary); RSS is its /proc/PID/status VmRSS. `make bench`
// runs it; it exits 1 when an acceptance bound is missed.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/bbcred/git-credential-bitbucket/mockserver"
)

// Acceptance bounds of issue 15.
const (
	minTokenRatio = 0.5
	maxGrowthMB   = 20.0
)

type config struct {
	mock      string
	workers   int
	counts    [4]int // per kind, throughput phase
	total     int    // mixed requests, memory phase
	firstMark int    // RSS is read after this many, and after total
	round     int    // mixed requests between clock advances
	mix       [4]int // weights of token, oauth1, git in the mixed load (index by kind)
	advance   time.Duration
	check     bool
	mockArgs  []string // more bitbucket-mock flags
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "-serve-bare" {
		os.Exit(serveBare())
	}
	var cfg config
	var mix string
	flag.StringVar(&cfg.mock, "mock", "bin/bitbucket-mock", "the bitbucket-mock binary")
	flag.IntVar(&cfg.workers, "workers", 4, "concurrent clients")
	flag.IntVar(&cfg.counts[kindBare], "bare", 20000, "requests to the bare handler (the same as the measured kind's), alternating with each measurement")
	flag.IntVar(&cfg.counts[kindToken], "token", 20000, "token endpoint requests")
	flag.IntVar(&cfg.counts[kindOAuth1], "oauth1", 3000, "signed OAuth 1 REST calls (signed before the clock starts)")
	flag.IntVar(&cfg.counts[kindGit], "git", 500, "git info/refs requests")
	flag.IntVar(&cfg.total, "mixed", 200000, "mixed requests of the memory phase")
	flag.IntVar(&cfg.firstMark, "first", 10000, "mixed requests before the first RSS reading")
	flag.IntVar(&cfg.round, "round", 5000, "mixed requests between two advances of the mock clock")
	flag.StringVar(&mix, "mix", "90,8,2", "weights of token, OAuth 1 and git requests in the mixed load")
	flag.DurationVar(&cfg.advance, "advance", 91*24*time.Hour, "mock clock advance after each round (past every lifetime)")
	flag.BoolVar(&cfg.check, "check", true, "exit 1 when an acceptance bound is missed")
	flag.Func("mock-arg", "one more bitbucket-mock flag (repeatable), e.g. -mock-arg=--cloud-era=2025", func(v string) error {
		cfg.mockArgs = append(cfg.mockArgs, v)
		return nil
	})
	flag.Parse()
	if err := parseMix(mix, &cfg.mix); err != nil {
		fmt.Fprintf(os.Stderr, "mockbench: -mix: %v\n", err)
		os.Exit(2)
	}
	ok, err := run(context.Background(), cfg)
	if err != nil {
		fmt.Fprintf(os.Stderr, "mockbench: %v\n", err)
		os.Exit(1)
	}
	if !ok && cfg.check {
		os.Exit(1)
	}
}

func parseMix(s string, out *[4]int) error {
	parts := strings.Split(s, ",")
	if len(parts) != 3 {
		return fmt.Errorf("want three weights, got %q", s)
	}
	for i, p := range parts {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || n < 0 {
			return fmt.Errorf("bad weight %q", p)
		}
		out[kindToken+kind(i)] = n
	}
	if out[kindToken]+out[kindOAuth1]+out[kindGit] == 0 {
		return fmt.Errorf("all weights are zero")
	}
	return nil
}

// startMock starts a fresh bitbucket-mock and a client for it.
func startMock(cfg config, bareURL string) (*proc, *client, error) {
	p, err := startProc(cfg.mock, append([]string{"--cloud", "127.0.0.1:0", "--server", "127.0.0.1:0"}, cfg.mockArgs...)...)
	if err != nil {
		return nil, nil, err
	}
	signer, err := newO1Signer(mockserver.TestLinkConsumerKey, mockserver.TestLinkPrivateKeyPEM())
	if err != nil {
		p.stop()
		return nil, nil, err
	}
	c := &client{http: newClient(cfg.workers), cloud: p.first["cloud"], server: p.first["server"], bare: bareURL, signer: signer}
	if err := c.newToken(); err != nil {
		p.stop()
		return nil, nil, err
	}
	return p, c, nil
}

func run(ctx context.Context, cfg config) (bool, error) {
	self, err := os.Executable()
	if err != nil {
		return false, err
	}
	bare, err := startProc(self, "-serve-bare")
	if err != nil {
		return false, err
	}
	defer bare.stop()
	mock, c, err := startMock(cfg, bare.first["bare"])
	if err != nil {
		return false, err
	}
	fmt.Printf("mock bench: %d clients, mock %s (pid %d), bare handler pid %d\n", cfg.workers, cfg.mock, mock.cmd.Process.Pid, bare.cmd.Process.Pid)
	ok, err := throughput(ctx, cfg, c)
	mock.stop()
	if err != nil {
		return false, err
	}
	mock, c, err = startMock(cfg, bare.first["bare"])
	if err != nil {
		return false, err
	}
	defer mock.stop()
	memOK, err := memory(ctx, cfg, c, mock)
	return ok && memOK, err
}
