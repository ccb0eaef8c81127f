//go:build unix

package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gocnn/gocnn/checkpoint"
	"github.com/gocnn/gocnn/train"
)

// TestStopOnSignals: the first signal cancels the context with itself as
// the cause (exit status 128+n); the second stops at once, saying how to
// resume.
func TestStopOnSignals(t *testing.T) {
	var stderr strings.Builder
	exited := make(chan int, 1)
	ctx, release := stopOnSignals(&stderr, "runs/my run", func(code int) { exited <- code })
	defer release()
	syscall.Kill(os.Getpid(), syscall.SIGTERM)
	select {
	case <-ctx.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("SIGTERM did not cancel the context")
	}
	if code := exitCode(&train.Stopped{Cause: context.Cause(ctx)}); code != 143 {
		t.Errorf("exit status after SIGTERM %d, want 143", code)
	}
	syscall.Kill(os.Getpid(), syscall.SIGINT)
	select {
	case code := <-exited:
		if code != 130 {
			t.Errorf("exit status after a second signal (SIGINT) %d, want 130", code)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a second signal did not stop at once")
	}
	want := "stopped at once, nothing saved since the last checkpoint; resume from it with: " + command() + " -resume 'runs/my run'\n"
	if !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr %q lacks %q", stderr.String(), want)
	}
}

// signalOnProgress sends SIGINT to this process when the first progress
// line of a training step is written.
type signalOnProgress struct {
	mu   sync.Mutex
	b    strings.Builder
	sent bool
}

func (w *signalOnProgress) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.sent && strings.Contains(string(p), " train 1/") {
		w.sent = true
		syscall.Kill(os.Getpid(), syscall.SIGINT)
	}
	return w.b.Write(p)
}

// TestCtrlCStopsAndResumes interrupts a run of the command, checks the line
// it stops with and its status, and resumes it with -resume alone: the
// run's other flags come from its checkpoint, and a flag given again that
// differs is refused.
func TestCtrlCStopsAndResumes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	out := &signalOnProgress{}
	err := run([]string{"-limit", "64", "-batch", "8", "-epochs", "2", "-print-freq", "1", "-workers", "2", "-output", dir}, out)
	var st *train.Stopped
	if !errors.As(err, &st) || exitCode(err) != 130 {
		t.Fatalf("interrupted run: %v (status %d), want a *train.Stopped and 130", err, exitCode(err))
	}
	line := oneLine(err)
	re := regexp.MustCompile(`^train: stopped at epoch 1 step ([1-8]) of 8 \(interrupt\); checkpoint (\S+); resume with: (.+) -resume (\S+)$`)
	m := re.FindStringSubmatch(line)
	if m == nil || m[2] != filepath.Join(dir, "checkpoint-epoch001-step00000"+m[1]+".json") || m[3] != command() || m[4] != dir {
		t.Fatalf("stop line %q, want it to name the checkpoint and the command", line)
	}
	if _, err := checkpoint.Load(m[2]); err != nil {
		t.Fatal(err)
	}

	err = run([]string{"-resume", dir, "-batch", "4"}, &strings.Builder{})
	if err == nil || !strings.Contains(err.Error(), "-batch 8 -> 4") {
		t.Fatalf("resuming with another -batch: %v", err)
	}
	var rest strings.Builder
	if err := run([]string{"-resume", dir}, &rest); err != nil {
		t.Fatalf("%v; output:\n%s", err, rest.String())
	}
	ck, err := checkpoint.ReadState(dir)
	if err != nil || ck.Epoch != 2 || ck.InEpoch != nil {
		t.Fatalf("after resuming: %+v (%v), want 2 epochs done", ck, err)
	}
}
