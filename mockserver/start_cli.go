package mockserver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/bbcred/git-credential-bitbucket/mockserver/cloud"
)

const cliUsage = `usage: bitbucket-mock [--cloud ADDR] [--server ADDR] [--context-path /bitbucket] [--fixtures FILE]
                      [--repos DIR] [--tls DIR] [--auto-approve] [--cloud-era 2026|2025]
                      [--request-log N]
       bitbucket-mock fixtures [--fixtures FILE]           print the fixtures (the schema --fixtures reads)
       bitbucket-mock fixtures --write-keys DIR            write the TEST-ONLY keys and secrets (0600) into DIR
       bitbucket-mock fixtures --list [--cloud-url URL] [--server-url URL]   print the repositories' clone URLs
`

// RunCLI is bitbucket-mock's command line: it serves until ctx is done
// (the binary cancels it on SIGINT/SIGTERM) and returns the exit code.
// The first line on stdout is {"cloud":URL,"server":URL}; logs go to stderr.
func RunCLI(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "fixtures" {
		return runFixtures(args[1:], stdout, stderr)
	}
	fs := flag.NewFlagSet("bitbucket-mock", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, cliUsage) }
	cloudAddr := fs.String("cloud", "127.0.0.1:0", "Cloud listener (loopback only)")
	serverAddr := fs.String("server", "127.0.0.1:0", "Server/DC listener (loopback only)")
	contextPath := fs.String("context-path", "", "Server/DC context path (default: the fixtures', /bitbucket)")
	fixturesFile := fs.String("fixtures", "", "fixtures JSON file (default: built-in)")
	repos := fs.String("repos", "", "directory of the bare repositories (default: a temporary one)")
	tlsDir := fs.String("tls", "", "serve HTTPS; the generated CA goes to DIR/ca.pem")
	autoApprove := fs.Bool("auto-approve", false, "skip consent pages")
	cloudEra := fs.String("cloud-era", "", "Cloud behaviour: 2026 (today's, the default) or 2025 (before 2026-05-04); overrides the fixtures' cloud.era")
	requestLog := fs.Int("request-log", DefaultRequestLog, "requests kept in the /_mock/requests ring")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *requestLog <= 0 || *requestLog > MaxRequestLog {
		fmt.Fprintf(stderr, "bitbucket-mock: --request-log: want 1 to %d entries, got %d\n", MaxRequestLog, *requestLog)
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "bitbucket-mock: unexpected argument %q\n", fs.Arg(0))
		fmt.Fprint(stderr, cliUsage)
		return 2
	}
	logf := func(format string, a ...any) { fmt.Fprintf(stderr, "bitbucket-mock: "+format+"\n", a...) }
	opts := Options{
		ReposDir: *repos, AutoApprove: *autoApprove, ContextPath: *contextPath, TLSDir: *tlsDir, Logf: logf,
		RequestLog: *requestLog,
	}
	if *fixturesFile != "" {
		f, err := LoadFixtures(*fixturesFile)
		if err != nil {
			logf("%v", err)
			return 1
		}
		opts.Fixtures = f
	}
	if *cloudEra != "" {
		if *cloudEra != cloud.Era2025 && *cloudEra != cloud.Era2026 {
			fmt.Fprintf(stderr, "bitbucket-mock: --cloud-era %q: want 2026 or 2025\n", *cloudEra)
			return 2
		}
		if opts.Fixtures == nil {
			opts.Fixtures = DefaultFixtures()
		}
		opts.Fixtures.Cloud.Era = *cloudEra
	}
	run, err := Start(opts, *cloudAddr, *serverAddr)
	if err != nil {
		logf("%v", err)
		return 1
	}
	first, _ := json.Marshal(struct {
		Cloud  string `json:"cloud"`
		Server string `json:"server"`
		CA     string `json:"ca,omitempty"`
	}{run.CloudURL, run.ServerURL, run.CAFile})
	if _, err := stdout.Write(append(first, '\n')); err != nil {
		logf("write listener URLs: %v", err)
		run.Close()
		return 1
	}
	logf("cloud %s, server %s; stop with SIGINT or SIGTERM", run.CloudURL, run.ServerURL)
	<-ctx.Done()
	if err := run.Close(); err != nil {
		logf("shutdown: %v", err)
		return 1
	}
	logf("stopped")
	return 0
}

// LoadFixtures reads a fixtures JSON file (the schema of `bitbucket-mock
// fixtures`); unknown fields are an error, so typos do not pass silently.
func LoadFixtures(path string) (*Fixtures, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read fixtures: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var f Fixtures
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("parse fixtures %s: %w", path, err)
	}
	return &f, nil
}
