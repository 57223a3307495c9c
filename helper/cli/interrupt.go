package cli

import (
	"context"
	"os"
	"os/signal"
	"sync/atomic"
)

// exitInterrupted is a login stopped with Ctrl-C: 128 + SIGINT, as a
// shell reports a process the signal killed.
const exitInterrupted = 130

// interruptible is ctx ended by Ctrl-C (SIGINT) while a person waits:
// the consent sees its context end, closes the loopback listener and
// clears its waiting line, and the command reports one line. interrupted
// tells whether that happened; stop restores the default handling.
//
// App.Interrupt, when set, stands for the signal in tests.
func (r *run) interruptible(ctx context.Context) (_ context.Context, interrupted func() bool, stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	sig := r.app.Interrupt
	var ch chan os.Signal
	if sig == nil {
		ch = make(chan os.Signal, 1)
		signal.Notify(ch, os.Interrupt)
		sig = ch
	}
	var got atomic.Bool
	done := make(chan struct{})
	go func() {
		select {
		case <-sig:
			got.Store(true)
			cancel()
		case <-done:
		}
	}()
	return ctx, got.Load, func() {
		if ch != nil {
			signal.Stop(ch)
		}
		close(done)
		cancel()
	}
}
