package checkpoint

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// LockName is the file in a run's folder that says which process holds it.
const LockName = "run.lock"

// Holder is the process that holds, or held, a folder's lock.
type Holder struct {
	PID   int       `json:"pid"`
	Host  string    `json:"host"`
	Start time.Time `json:"start"`
}

// String names the holder; a zero Holder (a record not written yet) is
// "another process".
func (h Holder) String() string {
	if h.PID == 0 {
		return "another process"
	}
	return fmt.Sprintf("pid %d on %s since %s", h.PID, h.Host, h.Start.Local().Format("2006-01-02 15:04:05"))
}

// LockedError is LockDir's error for a folder another live process holds.
type LockedError struct {
	Dir    string
	Holder Holder
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("%s is in use by %s; its lock is %s", e.Dir, e.Holder, filepath.Join(e.Dir, LockName))
}

// Lock is a process's hold on a folder; Release gives it up.
type Lock struct {
	f    *os.File
	path string
}

// LockDir creates dir if needed and takes its lock, run.lock, which records
// this process's pid, host and start time. A second LockDir of the same
// folder, from this or any process, fails with a *LockedError naming the
// holder until the first is released. The lock dies with its process: a
// lock left by one that was killed is taken over, and returned as stale so
// that the caller can say so. (Where the system has flock, the kernel
// decides whether the holder is alive; elsewhere its pid is looked up.)
func LockDir(dir string) (l *Lock, stale *Holder, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, nil, fmt.Errorf("checkpoint: %w", err)
	}
	path := filepath.Join(dir, LockName)
	for {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return nil, nil, fmt.Errorf("checkpoint: %w", err)
		}
		l, stale, err := take(f, dir, path)
		if err != nil || l != nil {
			return l, stale, err
		}
		// The holder released the lock, removing its file, between our
		// open and our lock: try again on the path's new file.
	}
}

// take tries to lock f, open on path. It returns nil, nil, nil when f is no
// longer the file at path.
func take(f *os.File, dir, path string) (*Lock, *Holder, error) {
	prev, readErr := readHolder(f)
	gone, err := holderGone(f, prev, readErr)
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("checkpoint: locking %s: %w", path, err)
	}
	if !gone {
		f.Close()
		return nil, nil, &LockedError{Dir: dir, Holder: prev}
	}
	if same, err := isFileAt(f, path); err != nil || !same {
		f.Close()
		if err != nil {
			return nil, nil, fmt.Errorf("checkpoint: %w", err)
		}
		return nil, nil, nil
	}
	if err := writeHolder(f); err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("checkpoint: writing %s: %w", path, err)
	}
	var stale *Holder
	if readErr == nil {
		stale = &prev
	}
	return &Lock{f: f, path: path}, stale, nil
}

// readHolder reads the record at the start of f; an empty or torn file
// (its writer killed mid-write) is an error.
func readHolder(f *os.File) (Holder, error) {
	var h Holder
	b, err := io.ReadAll(f)
	if err != nil {
		return h, err
	}
	if len(b) == 0 {
		return h, errors.New("empty lock file")
	}
	return h, json.Unmarshal(b, &h)
}

// writeHolder replaces f's content with this process's record.
func writeHolder(f *os.File) error {
	host, err := os.Hostname()
	if err != nil {
		host = "an unknown host"
	}
	b, err := json.Marshal(Holder{PID: os.Getpid(), Host: host, Start: time.Now().UTC().Truncate(time.Second)})
	if err != nil {
		return err
	}
	if err := f.Truncate(0); err != nil {
		return err
	}
	if _, err := f.WriteAt(append(b, '\n'), 0); err != nil {
		return err
	}
	return f.Sync()
}

// isFileAt reports whether f is still the file at path.
func isFileAt(f *os.File, path string) (bool, error) {
	fi, err := f.Stat()
	if err != nil {
		return false, err
	}
	pi, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return os.SameFile(fi, pi), nil
}

// Release removes the lock file and gives the lock up. Calling it again is
// a no-op.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	// Removed while still held, so that no one takes the lock of a file
	// that is about to disappear (see isFileAt).
	rmErr := os.Remove(l.path)
	err := l.f.Close()
	l.f = nil
	if rmErr != nil {
		return fmt.Errorf("checkpoint: releasing the lock: %w", rmErr)
	}
	return err
}
