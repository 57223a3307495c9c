package datacenter

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bbcred/git-credential-bitbucket/helper/auth"
	"github.com/bbcred/git-credential-bitbucket/helper/internal/consent"
)

// defaultConsentTimeout bounds a wait for a person when ConsentTimeout is
// 0: longer than Cloud's consent.DefaultTimeout, as README.md#login documents.
const defaultConsentTimeout = 5 * time.Minute

// consentLimit is the bound of a wait for a person.
func (p *Provider) consentLimit() time.Duration {
	if p.ConsentTimeout > 0 {
		return p.ConsentTimeout
	}
	return defaultConsentTimeout
}

// consentContext bounds a wait for a person (consent.Bound); it returns
// the bound too, which the person is told.
func (p *Provider) consentContext(ctx context.Context) (context.Context, context.CancelFunc, time.Duration) {
	return consent.Bound(ctx, p.consentLimit())
}

// person is who the consent talks to.
func (c *call) person() consent.Person {
	return consent.Person{TTY: c.env.TTY, Say: c.env.Say}
}

// consentErr explains why a wait for the person ended without an answer:
// a *consent.TimeoutError from the wait, or, with limit > 0, ctx (the
// wait's context, bounded by limit) past its deadline.
func (c *call) consentErr(ctx context.Context, grant string, limit time.Duration, err error) error {
	var te *consent.TimeoutError
	switch {
	case errors.Is(err, consent.ErrNoWay):
		return fmt.Errorf("%s needs a browser or a terminal for the consent (%v): %w", grant, err, auth.ErrInteractionRequired)
	case errors.As(err, &te):
		return fmt.Errorf("%s: %w", grant, te)
	case limit > 0 && errors.Is(ctx.Err(), context.DeadlineExceeded):
		return fmt.Errorf("%s: %w", grant, &consent.TimeoutError{Limit: limit})
	}
	return err
}
