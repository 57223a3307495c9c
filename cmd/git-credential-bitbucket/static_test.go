package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// cmdEnvTime sets NAME to the helper's clock (real time plus the scripts'
// advances) plus DURATION, in RFC 3339: envtime EXPIRES 720h.
func cmdEnvTime(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 || neg {
		ts.Fatalf("usage: envtime NAME DURATION")
	}
	d, err := time.ParseDuration(args[1])
	ts.Check(err)
	now := shiftedClock(ts.Getenv(clockFileEnv))()
	ts.Setenv(args[0], now.Add(d).UTC().Format(time.RFC3339))
}

// cmdDCToken creates a personal HTTP access token on the mock's Server/DC
// side as USER (Basic with PASSWORD), living DAYS days, and writes its
// value to FILE: dctoken alice alice-test-password 10 dctoken.txt.
func cmdDCToken(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 4 || neg {
		ts.Fatalf("usage: dctoken USER PASSWORD DAYS FILE")
	}
	body := fmt.Sprintf(`{"name":"static test","permissions":["REPO_WRITE"],"expiryDays":%s}`, args[2])
	req, err := http.NewRequest(http.MethodPut, ts.Getenv("SERVER_URL")+"/rest/access-tokens/1.0/users/"+args[0], strings.NewReader(body))
	ts.Check(err)
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth(args[0], args[1])
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	ts.Check(err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	ts.Check(err)
	if resp.StatusCode != http.StatusOK {
		ts.Fatalf("create token: %s: %s", resp.Status, b)
	}
	var tok struct {
		Token string `json:"token"`
	}
	ts.Check(json.Unmarshal(b, &tok))
	ts.Check(os.WriteFile(ts.MkAbs(args[3]), []byte(tok.Token+"\n"), 0o600))
	f, err := os.OpenFile(secretsFile(ts), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	ts.Check(err)
	defer f.Close()
	io.WriteString(f, tok.Token+"\n")
}
