package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestBrowserInheritsNoHelperSecrets: the process $BROWSER names starts
// without the GIT_CREDENTIAL_BITBUCKET_* variables (a client secret for
// CI); the rest of the environment is kept. Fails on the old code, which
// gave the browser the whole environment.
func TestBrowserInheritsNoHelperSecrets(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	seen := filepath.Join(dir, "env")
	script := filepath.Join(dir, "browser")
	if err := os.WriteFile(script, []byte("#!/bin/sh\nenv > "+seen+".tmp && mv "+seen+".tmp "+seen+"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	env := environ{"PATH=" + os.Getenv("PATH"), "BROWSER=" + script, "KEEP_ME=1",
		"GIT_CREDENTIAL_BITBUCKET_CLIENT_SECRET=ci-s3cret", "GIT_CREDENTIAL_BITBUCKET_JWT_SHARED_SECRET=jwt-s3cret"}
	if err := browserOpener(env)("http://127.0.0.1:1/start/x"); err != nil {
		t.Fatal(err)
	}
	var got []byte
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if b, err := os.ReadFile(seen); err == nil {
			got = b
			break
		}
	}
	if !strings.Contains(string(got), "KEEP_ME=1") {
		t.Fatalf("the browser did not run or lost its environment: %q", got)
	}
	for _, secret := range []string{"ci-s3cret", "jwt-s3cret", "GIT_CREDENTIAL_BITBUCKET_"} {
		if strings.Contains(string(got), secret) {
			t.Errorf("the browser's environment holds %q", secret)
		}
	}
}
