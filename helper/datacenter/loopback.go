package datacenter

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/auth"
	"github.com/bbcred/git-credential-bitbucket/helper/internal/consent"
)

// defaultConsentTimeout bounds a wait for a person when ConsentTimeout is 0.
const defaultConsentTimeout = 5 * time.Minute

// consentContext bounds a wait for a person; it returns the bound too,
// which the person is told.
func (p *Provider) consentContext(ctx context.Context) (context.Context, context.CancelFunc, time.Duration) {
	d := p.ConsentTimeout
	if d <= 0 {
		d = defaultConsentTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, d)
	return ctx, cancel, d
}

// person is who the consent talks to.
func (c *call) person() consent.Person {
	return consent.Person{TTY: c.env.TTY, Say: c.env.Say}
}

// consentErr explains why a wait for the person ended without an answer.
func (c *call) consentErr(ctx context.Context, grant string, limit time.Duration, err error) error {
	switch {
	case errors.Is(err, consent.ErrNoWay):
		return fmt.Errorf("%s needs a browser or a terminal for the consent (%v): %w", grant, err, auth.ErrInteractionRequired)
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return fmt.Errorf("%s: %w", grant, &consent.TimeoutError{Limit: limit})
	}
	return err
}
