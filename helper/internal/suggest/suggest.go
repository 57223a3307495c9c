// Package suggest finds what a mistyped name most likely meant, for the
// "did you mean …" of an unknown command or option.
package suggest

import "strings"

// Distance is the optimal string alignment distance between a and b
// (bytes): insertions, deletions, substitutions and swaps of two adjacent
// letters each count one, so "stauts" is 1 from "status".
func Distance(a, b string) int {
	rows := make([][]int, len(a)+1)
	for i := range rows {
		rows[i] = make([]int, len(b)+1)
		rows[i][0] = i
	}
	for j := range rows[0] {
		rows[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			sub := 1
			if a[i-1] == b[j-1] {
				sub = 0
			}
			d := min(rows[i-1][j]+1, rows[i][j-1]+1, rows[i-1][j-1]+sub)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d = min(d, rows[i-2][j-2]+1)
			}
			rows[i][j] = d
		}
	}
	return rows[len(a)][len(b)]
}

// Nearest returns the candidate closest to s within max edits (the first
// of equals, in the order given), else the first candidate that s is a
// prefix of when s has at least one letter; "" when none fits. A name of
// one or two letters is matched as a prefix only (every letter is one
// edit from every other). Case and leading dashes are ignored on both
// sides, so -v finds --version.
func Nearest(s string, candidates []string, max int) string {
	key := strings.ToLower(strings.TrimLeft(s, "-"))
	best, bestD := "", max+1
	if len(key) < 3 {
		bestD = 0 // an exact match only
	}
	for _, c := range candidates {
		if d := Distance(key, strings.ToLower(strings.TrimLeft(c, "-"))); d < bestD {
			best, bestD = c, d
		}
	}
	if best != "" || key == "" {
		return best
	}
	for _, c := range candidates {
		if strings.HasPrefix(strings.ToLower(strings.TrimLeft(c, "-")), key) {
			return c
		}
	}
	return ""
}
