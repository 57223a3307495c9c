package cli

import (
	"context"
	"os"
	"testing"

	"github.com/bbcred/git-credential-bitbucket/helper/auth"
	"github.com/bbcred/git-credential-bitbucket/helper/tokenstore"
)

// waitingProvider waits for a person until its context ends, as the
// consent flows do, and would then return a token.
type waitingProvider struct {
	fakeProvider
	waiting chan struct{}
}

func (w *waitingProvider) Obtain(ctx context.Context, env *auth.Env, prev *tokenstore.Record, login bool) (*tokenstore.Record, error) {
	close(w.waiting)
	<-ctx.Done()
	return nil, ctx.Err()
}

// TestLoginInterrupted: Ctrl-C while login waits for the person exits
// 130 with one line, and nothing is stored; --no-browser reaches the
// provider as no browser opener.
func TestLoginInterrupted(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	p := &waitingProvider{waiting: make(chan struct{})}
	h.app.Providers = map[string]auth.Provider{"cloud": p}
	sig := make(chan os.Signal, 1)
	h.app.Interrupt = sig
	go func() {
		<-p.waiting
		sig <- os.Interrupt
	}()
	out, errOut, code := h.run("", nil, "login", "--no-browser", "https://"+testHost)
	if code != exitInterrupted || out != "" {
		t.Errorf("exit %d, stdout %q; want 130 and nothing", code, out)
	}
	if want := linePrefix + "login: interrupted; nothing was stored for https://" + testHost + "\n"; errOut != want {
		t.Errorf("stderr %q, want %q", errOut, want)
	}
	if recs := h.records(); len(recs) != 0 {
		t.Errorf("stored %d records", len(recs))
	}
}

func TestLoginNoBrowser(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		args    []string
		env     []string
		browser bool
	}{
		{"default", nil, nil, true},
		{"flag", []string{"--no-browser"}, nil, false},
		{"environment", nil, []string{"GIT_CREDENTIAL_BITBUCKET_NO_BROWSER=1"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t)
			h.prov.obtain = func(*tokenstore.Record, bool) (*tokenstore.Record, error) {
				return record("AT", "", 3600e9), nil
			}
			if _, errOut, code := h.run("", tt.env, append([]string{"login", "https://" + testHost}, tt.args...)...); code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			env := h.prov.envs[0]
			if got := env.OpenBrowser != nil; got != tt.browser {
				t.Errorf("browser opener set = %v, want %v", got, tt.browser)
			}
			if env.Say == nil {
				t.Errorf("no Say for the person")
			}
		})
	}
}
