package server

import (
	"context"
	"time"
)

// consentContext bounds a wait for a person.
func (p *Provider) consentContext(ctx context.Context) (context.Context, context.CancelFunc) {
	d := p.ConsentTimeout
	if d <= 0 {
		d = 5 * time.Minute
	}
	return context.WithTimeout(ctx, d)
}
