package front

import "os"

// tempFile is a 0600 temporary file, already unlinked on Unix (Windows
// cannot remove an open file; the delegate there needs none).
func tempFile() (*os.File, error) {
	f, err := os.CreateTemp("", ".git-credential-request-*")
	if err != nil {
		return nil, err
	}
	os.Remove(f.Name())
	return f, nil
}
