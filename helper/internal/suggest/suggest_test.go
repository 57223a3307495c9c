package suggest

import "testing"

func TestDistance(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"status", "status", 0},
		{"stauts", "status", 1},
		{"statu", "status", 1},
		{"sttaus", "status", 1},
		{"lgoin", "login", 1},
		{"logni", "login", 1},
		{"configre", "configure", 1},
		{"kitten", "sitting", 3},
		{"", "abc", 3},
	} {
		if got := Distance(tt.a, tt.b); got != tt.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := Distance(tt.b, tt.a); got != tt.want {
			t.Errorf("Distance(%q, %q) = %d, want %d (symmetric)", tt.b, tt.a, got, tt.want)
		}
	}
}

func TestNearest(t *testing.T) {
	t.Parallel()
	cmds := []string{"login", "logout", "status", "token", "configure", "version", "help", "completion"}
	opts := []string{"--help", "--version"}
	for _, tt := range []struct {
		s    string
		cand []string
		want string
	}{
		{"stauts", cmds, "status"},
		{"STATUS", cmds, "status"},
		{"logn", cmds, "login"},
		{"logot", cmds, "logout"},
		{"complet", cmds, "completion"}, // a prefix
		{"conf", cmds, "configure"},     // a prefix
		{"capability", cmds, ""},
		{"frobnicate", cmds, ""},
		{"-v", opts, "--version"},
		{"--verison", opts, "--version"},
		{"--hepl", opts, "--help"},
		{"-", opts, ""},
		{"--x", opts, ""},
	} {
		if got := Nearest(tt.s, tt.cand, 2); got != tt.want {
			t.Errorf("Nearest(%q) = %q, want %q", tt.s, got, tt.want)
		}
	}
}
