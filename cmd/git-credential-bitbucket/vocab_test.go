package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/bbcred/git-credential-bitbucket/internal/scripttest"
	"github.com/bbcred/git-credential-bitbucket/mockserver"
)

// scriptCommands are the scripts' commands: the shared vocabulary
// (internal/scripttest, also the conformance suite's), the ones that look
// into the helper's own store (storefield, nosecrets), and extra.
func scriptCommands(extra map[string]scripttest.Cmd) map[string]scripttest.Cmd {
	cmds := scripttest.Commands(scripttest.Options{
		Target: func(ts *testscript.TestScript) any { return scriptMock{base: ts.Getenv("CLOUD_URL")} },
		// The helper here is this test binary on the clock of clockFileEnv.
		HelperClock: func(ts *testscript.TestScript, _, total time.Duration) {
			ts.Check(os.WriteFile(ts.Getenv(clockFileEnv), []byte(total.String()), 0o600))
		},
		Environ: []string{clockFileEnv, "GORACE", "GIT_CREDENTIAL_BITBUCKET_TRACE", "STORE_FILE", ttyInEnv, ttyOutEnv},
	})
	cmds["storefield"] = cmdStoreField
	cmds["nosecrets"] = cmdNoSecrets
	maps.Copy(cmds, extra)
	return cmds
}

// scriptMock is the script's mock (the last startmock's, else setupScript's)
// through its control API.
type scriptMock struct{ base string }

func (m scriptMock) ControlURL() string { return m.base }

func (m scriptMock) do(ctx context.Context, method, path string, body any, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = strings.NewReader(string(b))
	}
	req, err := http.NewRequestWithContext(ctx, method, m.base+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("mock %s %s: %s: %s", method, path, resp.Status, b)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

func (m scriptMock) Advance(ctx context.Context, d time.Duration) error {
	return m.do(ctx, http.MethodPost, "/_mock/clock", map[string]string{"advance": d.String()}, nil)
}

func (m scriptMock) AddFault(ctx context.Context, f mockserver.Fault) error {
	return m.do(ctx, http.MethodPost, "/_mock/faults", f, nil)
}

func (m scriptMock) Revoke(ctx context.Context, token string) error {
	return m.do(ctx, http.MethodPost, "/_mock/revoke", map[string]string{"token": token}, nil)
}

func (m scriptMock) Requests(ctx context.Context, prefix string) ([]mockserver.LoggedRequest, error) {
	var out []mockserver.LoggedRequest
	err := m.do(ctx, http.MethodGet, "/_mock/requests?path="+url.QueryEscape(prefix), nil, &out)
	return out, err
}
