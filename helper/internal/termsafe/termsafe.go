// Package termsafe makes text from a server or a redirect (an error
// description, an oauth_problem, a slug from a URL) safe to show on one
// terminal line.
package termsafe

import (
	"strings"
	"unicode"
)

// maxLine is how much of such a text is shown.
const maxLine = 200

// Line makes s safe for a terminal line: control characters become
// spaces, and it is cut at 200 bytes.
func Line(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if len(s) > maxLine {
		s = s[:maxLine] + "..."
	}
	return s
}
