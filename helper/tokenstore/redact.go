package tokenstore

import (
	"fmt"
	"io"
	"strings"
)

// redacted replaces a secret in printed records.
const redacted = "[redacted]"

// secretFields points at every secret field of r: AccessToken,
// RefreshToken, OAuth1Token, OAuth1TokenSecret. A new secret field is
// added here, and Secrets and Redacted follow.
func (r *Record) secretFields() []*string {
	return []*string{&r.AccessToken, &r.RefreshToken, &r.OAuth1Token, &r.OAuth1TokenSecret}
}

// Secrets lists the values of every secret field of r (empty ones
// included), for a redactor to hide wherever they might appear.
func (r Record) Secrets() []string {
	ps := r.secretFields()
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = *p
	}
	return out
}

// Redacted returns a copy of r whose non-empty secrets (see Secrets)
// read "[redacted]". Empty ones stay empty, so a printed record still
// shows which secrets it holds.
func (r Record) Redacted() Record {
	for _, p := range r.secretFields() {
		if *p != "" {
			*p = redacted
		}
	}
	return r
}

// plainRecord has Record's fields and none of its methods, for printing a
// redacted copy with fmt's own struct formatting.
type plainRecord Record

// String prints r as %+v would, secrets redacted.
func (r Record) String() string {
	return fmt.Sprintf("%+v", plainRecord(r.Redacted()))
}

// GoString prints r as %#v would, secrets redacted.
func (r Record) GoString() string {
	s := fmt.Sprintf("%#v", plainRecord(r.Redacted()))
	return strings.Replace(s, "tokenstore.plainRecord{", "tokenstore.Record{", 1)
}

// Format makes every fmt verb print the redacted copy of r.
func (r Record) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = io.WriteString(f, r.GoString())
		return
	}
	fmt.Fprintf(f, fmt.FormatString(f, verb), plainRecord(r.Redacted()))
}
