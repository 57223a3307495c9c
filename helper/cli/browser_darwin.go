package cli

// platformBrowser is open(1), which hands the URL to the default browser.
func platformBrowser(environ) ([][]string, error) {
	return [][]string{{"open"}}, nil
}
