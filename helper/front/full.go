package front

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// fullName is the full helper's program name.
const fullName = "git-credential-bitbucket"

// FullPath finds the full helper beside the front's executable exe: in
// the directory exe's symbolic links resolve to (a front linked into PATH
// finds the helper it was installed with), else in exe's own directory.
// Never through PATH: the front runs what it was installed with.
func FullPath(exe string) (string, error) {
	name := fullName
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	var dirs []string
	if real, err := filepath.EvalSymlinks(exe); err == nil {
		dirs = append(dirs, filepath.Dir(real))
	}
	dirs = append(dirs, filepath.Dir(exe))
	for _, d := range dirs {
		p := filepath.Join(d, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return p, nil
		}
	}
	return "", &fs.PathError{Op: "find", Path: filepath.Join(dirs[0], name), Err: errors.New("not installed beside git-credential-bitbucket-fast (install both: make install, or a release archive)")}
}
