package data

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// readInto reads a whole file into buf's storage, growing it when needed,
// so that workers reuse one buffer for every file they read.
func readInto(buf []byte, path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return buf, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return buf, err
	}
	if !st.Mode().IsRegular() {
		return buf, fmt.Errorf("%s is not a regular file", path)
	}
	n := int(st.Size())
	if cap(buf) < n {
		buf = make([]byte, n)
	}
	buf = buf[:n]
	if _, err := io.ReadFull(f, buf); err != nil {
		return buf, fmt.Errorf("reading %s: %w", path, err)
	}
	return buf, nil
}

// isImageFile reports whether name has an extension the decoders handle.
func isImageFile(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".jpg", ".jpeg", ".png":
		return true
	}
	return false
}

// channels returns c, or the RGB default for zero.
func channels(c int) (int, error) {
	switch c {
	case 0:
		return 3, nil
	case 1, 3:
		return c, nil
	}
	return 0, fmt.Errorf("data: %d channels requested; want 1 or 3", c)
}
