package checkpoint

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestLockDirRefusesASecondHolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	l, stale, err := LockDir(dir)
	if err != nil || stale != nil {
		t.Fatalf("first lock: stale %v, error %v", stale, err)
	}
	b, err := os.ReadFile(filepath.Join(dir, LockName))
	if err != nil {
		t.Fatal(err)
	}
	var h Holder
	if err := json.Unmarshal(b, &h); err != nil || h.PID != os.Getpid() || h.Host == "" || time.Since(h.Start) > time.Minute {
		t.Fatalf("lock file %q (%v), want this process's pid, host and start time", b, err)
	}

	_, _, err = LockDir(dir)
	var locked *LockedError
	if !errors.As(err, &locked) || locked.Holder.PID != os.Getpid() ||
		!strings.Contains(err.Error(), "pid "+strconv.Itoa(os.Getpid())) || !strings.Contains(err.Error(), LockName) {
		t.Fatalf("second lock: %v, want a LockedError naming pid %d and the lock file", err, os.Getpid())
	}

	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, LockName)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("lock file after Release: %v, want it gone", err)
	}
	l, stale, err = LockDir(dir)
	if err != nil || stale != nil {
		t.Fatalf("lock after release: stale %v, error %v", stale, err)
	}
	l.Release()
}

// TestLockDirTakesOverAStaleLock leaves the lock file of a process that has
// exited, as a killed run would.
func TestLockDirTakesOverAStaleLock(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	dead := Holder{PID: cmd.Process.Pid, Host: host, Start: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	dir := t.TempDir()
	b, _ := json.Marshal(dead)
	if err := os.WriteFile(filepath.Join(dir, LockName), b, 0o644); err != nil {
		t.Fatal(err)
	}
	l, stale, err := LockDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	if stale == nil || *stale != dead {
		t.Fatalf("stale holder %v, want %v", stale, dead)
	}
	if _, _, err := LockDir(dir); err == nil {
		t.Fatal("the taken-over lock was taken again")
	}
}

func TestRemoveTemps(t *testing.T) {
	dir := t.TempDir()
	kept := []string{"curves.png", ".hidden", "notes.tmp-1", ".x.tmp-abc"}
	for _, n := range kept {
		if err := os.WriteFile(filepath.Join(dir, n), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// What saves killed before their rename leave.
	var temps []string
	for _, target := range []string{"checkpoint-epoch001.safetensors", "curves.png", "latest"} {
		f, err := createTemp(filepath.Join(dir, target))
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
		temps = append(temps, filepath.Base(f.Name()))
	}
	n, err := RemoveTemps(dir)
	if err != nil || n != len(temps) {
		t.Fatalf("removed %d (%v), want %d", n, err, len(temps))
	}
	got := dirNames(t, dir)
	for _, k := range kept {
		if !slices.Contains(got, k) {
			t.Errorf("%s removed; only temporary files should go", k)
		}
	}
	for _, tmp := range temps {
		if slices.Contains(got, tmp) {
			t.Errorf("%s left", tmp)
		}
	}
}
