package datacenter

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// srvJSON writes v as DC does: application/json;charset=UTF-8.
func srvJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "encode response: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// srvErrorEntry is one entry of DC's error envelope (docs/bitbucket-behaviour.md#dc-rest).
type srvErrorEntry struct {
	Context       *string `json:"context"`
	Message       string  `json:"message"`
	ExceptionName *string `json:"exceptionName"`
}

// srvError writes {"errors":[{"context":null,"message":…,"exceptionName":…}]}.
func srvError(w http.ResponseWriter, status int, message, exception string) {
	e := srvErrorEntry{Message: message}
	if exception != "" {
		e.ExceptionName = &exception
	}
	srvJSON(w, status, map[string]any{"errors": []srvErrorEntry{e}})
}

// srvValidationError is a 400 naming the offending field, as DC's
// validation errors do (context = field, no exception name).
func srvValidationError(w http.ResponseWriter, field, message string) {
	srvJSON(w, http.StatusBadRequest, map[string]any{"errors": []srvErrorEntry{{Context: &field, Message: message}}})
}

// DC exception names used in error envelopes.
const (
	excAuthorisation     = "com.atlassian.bitbucket.AuthorisationException"
	excIncorrectPassword = "com.atlassian.bitbucket.auth.IncorrectPasswordAuthenticationException"
	excNoSuchUser        = "com.atlassian.bitbucket.user.NoSuchUserException"
	excNoSuchProject     = "com.atlassian.bitbucket.project.NoSuchProjectException"
	excNoSuchRepo        = "com.atlassian.bitbucket.repository.NoSuchRepositoryException"
	excNoSuchToken       = "com.atlassian.bitbucket.auth.NoSuchAccessTokenException" // UNCONFIRMED
)

func srvRandomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("crypto/rand: %v", err)) // never fails on supported platforms
	}
	return b
}

// srvRandomToken is n random bytes, URL-safe base64 without padding.
func srvRandomToken(n int) string {
	return base64.RawURLEncoding.EncodeToString(srvRandomBytes(n))
}

// srvRandomAlnum is n random characters from [0-9A-Za-z].
func srvRandomAlnum(n int) string {
	const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	b := srvRandomBytes(n)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// srvUUID is a random (version 4) UUID string, the shape of Atlassian's
// OAuth 1 tokens (docs/bitbucket-behaviour.md#dc-oauth1-wire).
func srvUUID() string {
	b := srvRandomBytes(16)
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// srvTokenID is a 12-digit decimal id, as DC's HTTP access token ids.
func srvTokenID() string {
	b := srvRandomBytes(8)
	var n uint64
	for _, x := range b {
		n = n<<8 | uint64(x)
	}
	s := strconv.FormatUint(n%1_000_000_000_000, 10)
	for len(s) < 12 {
		s = "0" + s
	}
	return s
}

// srvPositiveInt parses s, falling back to def when empty or invalid.
func srvPositiveInt(s string, def int) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return def
	}
	return n
}

// srvPaged is DC's paged envelope over values[start:start+limit].
func srvPaged[T any](r *http.Request, values []T) map[string]any {
	start := srvPositiveInt(r.URL.Query().Get("start"), 0)
	limit := srvPositiveInt(r.URL.Query().Get("limit"), 25)
	if limit == 0 {
		limit = 25
	}
	if start > len(values) {
		start = len(values)
	}
	end := min(start+limit, len(values))
	page := append([]T{}, values[start:end]...)
	out := map[string]any{
		"size":       len(page),
		"limit":      limit,
		"isLastPage": end >= len(values),
		"values":     page,
		"start":      start,
	}
	if end < len(values) {
		out["nextPageStart"] = end
	}
	return out
}
