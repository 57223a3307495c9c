package cli

// platformBrowser is the URL protocol handler: it opens the default
// browser without a console window and, unlike `cmd /c start`, does not
// read & or ^ in the URL's query as shell syntax.
func platformBrowser(environ) ([][]string, error) {
	return [][]string{{"rundll32", "url.dll,FileProtocolHandler"}}, nil
}
