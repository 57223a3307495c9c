//go:build !linux

package front

import "os"

func memFile() (*os.File, error) { return tempFile() }
