package consent

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// maxLine is the longest line ReadLine accepts, in bytes.
const maxLine = 8192

// ReadLine reads one line from the terminal without reading past it and
// returns it trimmed; a line longer than maxLine is an error (the rest of
// it is left unread). It gives up when ctx ends; the reader goroutine then
// finishes on its own when the terminal delivers a line or closes. An
// empty stream is io.EOF.
func ReadLine(ctx context.Context, r io.Reader) (string, error) {
	type result struct {
		s   string
		err error
	}
	ch := make(chan result, 1)
	go func() {
		s, err := readLine(r)
		ch <- result{s, err}
	}()
	select {
	case res := <-ch:
		return res.s, res.err
	case <-ctx.Done():
		return "", fmt.Errorf("waiting for input on the terminal: %w", ctx.Err())
	}
}

func readLine(r io.Reader) (string, error) {
	var sb strings.Builder
	var b [1]byte
	for {
		n, err := r.Read(b[:])
		if n == 1 {
			if b[0] == '\n' {
				break
			}
			if sb.Len() == maxLine {
				return "", fmt.Errorf("the line is longer than %d KiB", maxLine/1024)
			}
			sb.WriteByte(b[0])
		}
		if err != nil {
			if errors.Is(err, io.EOF) && sb.Len() > 0 {
				break
			}
			return "", err
		}
	}
	return strings.TrimSpace(sb.String()), nil
}

// readPaste reads one pasted line and reads it as Paste does.
func readPaste(ctx context.Context, r io.Reader, state string) (string, error) {
	line, err := ReadLine(ctx, r)
	if err != nil {
		return "", fmt.Errorf("read the pasted address: %w", err)
	}
	return Paste(line, state)
}
