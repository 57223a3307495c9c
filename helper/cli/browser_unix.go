//go:build !darwin && !windows

package cli

import "errors"

// platformBrowser is xdg-open, in a graphical session only.
func platformBrowser(env environ) ([][]string, error) {
	if env.get("DISPLAY") == "" && env.get("WAYLAND_DISPLAY") == "" {
		// xdg-open would fall back to a text browser that takes over
		// the terminal: use the paste flow instead.
		return nil, errors.New("no graphical session and $BROWSER is not set")
	}
	return [][]string{{"xdg-open"}}, nil
}
