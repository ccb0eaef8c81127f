package checkpoint

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
)

// WriteFileAtomic replaces path with the bytes write produces, so that a
// crash or error at any point leaves either the old file or the complete
// new one: write fills a temporary file in the same folder, which is
// flushed, fsynced and renamed over path, and then the folder is fsynced so
// the rename itself survives a power cut. On error the temporary file is
// removed, path is untouched, and the error reads "writing PATH: cause",
// for the caller to prefix as it prefixes its own.
func WriteFileAtomic(path string, write func(w io.Writer) error) (err error) {
	dir := filepath.Dir(path)
	f, err := createTemp(path)
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
			err = fmt.Errorf("writing %s: %w", path, err)
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<20)
	if err = write(bw); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return err
	}
	// CreateTemp makes the file 0600; checkpoints should read like any file.
	if err = f.Chmod(0o644); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return err
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// writeFile is WriteFileAtomic with its error prefixed by the package name.
func writeFile(path string, write func(w io.Writer) error) error {
	if err := WriteFileAtomic(path, write); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}

// createTemp creates the temporary file that WriteFileAtomic fills for
// path, in the same folder: "." + its name + ".tmp-" + random digits,
// which tempName matches.
func createTemp(path string) (*os.File, error) {
	return os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
}

var tempName = regexp.MustCompile(`^\..+\.tmp-[0-9]+$`)

// RemoveTemps removes the temporary files that writes into dir left
// behind when their process was killed, and returns how many it removed.
// Call it only while no write into dir is under way (holding its lock, see
// LockDir).
func RemoveTemps(dir string) (int, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, fmt.Errorf("checkpoint: %w", err)
	}
	n := 0
	for _, e := range entries {
		if !e.Type().IsRegular() || !tempName.MatchString(e.Name()) {
			continue
		}
		if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
			return n, fmt.Errorf("checkpoint: %w", err)
		}
		n++
	}
	return n, nil
}
