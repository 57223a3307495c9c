module github.com/bbcred/git-credential-bitbucket

go 1.26.0

require (
	github.com/dghubble/oauth1 v0.7.3 // indirect
	github.com/gofrs/flock v0.13.2 // indirect
	github.com/golang-jwt/jwt/v5 v5.3.1 // indirect
	github.com/google/go-cmp v0.7.0 // indirect
	github.com/jarcoal/httpmock v1.4.2 // indirect
	github.com/rogpeppe/go-internal v1.16.0 // indirect
	golang.org/x/oauth2 v0.38.0 // indirect
	golang.org/x/sys v0.50.0 // indirect
	golang.org/x/term v0.48.0 // indirect
)
