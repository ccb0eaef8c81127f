package checkpoint

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// failingWriter accepts n bytes and then fails like a full disk.
type failingWriter struct {
	w io.Writer
	n int
}

var errDiskFull = errors.New("no space left on device")

func (f *failingWriter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		k, _ := f.w.Write(p[:f.n])
		f.n = 0
		return k, errDiskFull
	}
	f.n -= len(p)
	return f.w.Write(p)
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.bin")
	writeString := func(s string) func(io.Writer) error {
		return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
	}
	if err := WriteFileAtomic(path, writeString("old contents")); err != nil {
		t.Fatal(err)
	}

	// A failure halfway through a write larger than the buffer.
	big := strings.Repeat("x", 3<<20)
	err := WriteFileAtomic(path, func(w io.Writer) error {
		_, err := io.WriteString(&failingWriter{w: w, n: 2 << 20}, big)
		return err
	})
	if !errors.Is(err, errDiskFull) || !strings.Contains(err.Error(), path) {
		t.Fatalf("error %v: want the disk-full error naming %s", err, path)
	}
	got, rerr := os.ReadFile(path)
	if rerr != nil || string(got) != "old contents" {
		t.Fatalf("after a failed write the file holds %q (%v), want the old contents", got, rerr)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("temporary file left behind: %v", entries)
	}

	if err := WriteFileAtomic(path, writeString("new")); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	if got, _ := os.ReadFile(path); string(got) != "new" || fi.Mode().Perm() != 0o644 {
		t.Fatalf("file holds %q mode %v, want %q 0644", got, fi.Mode().Perm(), "new")
	}

	if err := WriteFileAtomic(filepath.Join(dir, "missing", "f"), writeString("x")); err == nil {
		t.Fatal("writing into a missing folder succeeded")
	}
}
