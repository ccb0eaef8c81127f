package train

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/gocnn/gocnn/checkpoint"
)

// stopAt runs cfg until its context is cancelled after global step k, as
// Ctrl-C during step k+1 would, and returns the *Stopped error.
func stopAt(t *testing.T, cfg Config, k int64) *Stopped {
	t.Helper()
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	cfg.Hooks.OnStep(func(s StepInfo) error {
		if s.GlobalStep == k {
			cancel(errors.New("test signal"))
		}
		return nil
	})
	err := Run(ctx, cfg, io.Discard)
	var st *Stopped
	if !errors.As(err, &st) {
		t.Fatalf("stopping after step %d: %v, want a *Stopped", k, err)
	}
	return st
}

// TestStopAndResumeIsExact stops runs in the middle of an epoch and at the
// end of one's steps (during its evaluation), kills one that saved every 4
// steps, resumes them, and checks that they end bit for bit as the
// uninterrupted run: weights, batch-norm statistics, optimizer buffers,
// and the metrics of every epoch, the interrupted one's training metrics
// included.
func TestStopAndResumeIsExact(t *testing.T) {
	for _, devices := range []int{1, 2} {
		if testing.Short() && devices > 1 {
			continue
		}
		straight := tinyConfig(t, 48)
		straight.Devices = devices
		run(t, straight)
		steps := 6 / devices // in an epoch
		// Stopped after step `steps`, the run stops during epoch 1's
		// evaluation.
		for _, stopAfter := range []int{steps / 2, steps, steps + 2} {
			t.Run(fmt.Sprintf("devices=%d/stop=%d", devices, stopAfter), func(t *testing.T) {
				split := straight
				split.Output = t.TempDir()
				st := stopAt(t, split, int64(stopAfter))
				epoch, step := (stopAfter-1)/steps+1, (stopAfter-1)%steps+1
				want := filepath.Join(split.Output, fmt.Sprintf("checkpoint-epoch%03d-step%06d.json", epoch, step))
				if st.Checkpoint != want || st.Resume != split.Output || st.Epoch != epoch || st.Step != step {
					t.Fatalf("stopped: %+v, want epoch %d step %d, checkpoint %s, resume %s", st, epoch, step, want, split.Output)
				}
				split.Resume = split.Output
				run(t, split)
				sameRun(t, split.Output, straight.Output)
			})
		}
		// Killed one step after -save-every saved the second epoch's first
		// step (and its first epoch's end).
		t.Run(fmt.Sprintf("devices=%d/killed", devices), func(t *testing.T) {
			split := straight
			split.Output, split.SaveEvery = t.TempDir(), steps+1
			killed := errors.New("killed")
			split.Hooks.OnStep(func(s StepInfo) error {
				if s.GlobalStep == int64(steps+2) {
					return killed
				}
				return nil
			})
			if err := Run(context.Background(), split, io.Discard); !errors.Is(err, killed) {
				t.Fatalf("error %v, want the hook's", err)
			}
			ck, err := checkpoint.ReadState(split.Output)
			if err != nil || ck.Step != int64(steps+1) || ck.InEpoch == nil || ck.InEpoch.Steps != 1 {
				t.Fatalf("latest checkpoint %+v (%v), want -save-every's at step %d, 1 step into epoch 2", ck, err, steps+1)
			}
			split.Hooks, split.Resume = Hooks{}, split.Output
			run(t, split)
			sameRun(t, split.Output, straight.Output)
		})
	}
}

// sameRun checks that the runs in folders got and want ended with the
// same bits and logged the same metrics.
func sameRun(t *testing.T, got, want string) {
	t.Helper()
	g, err := checkpoint.Load(got)
	if err != nil {
		t.Fatal(err)
	}
	w, err := checkpoint.Load(want)
	if err != nil {
		t.Fatal(err)
	}
	if g.Epoch != w.Epoch || g.Step != w.Step || g.InEpoch != nil {
		t.Fatalf("resumed run ends at epoch %d step %d (in epoch: %v), want %d and %d", g.Epoch, g.Step, g.InEpoch, w.Epoch, w.Step)
	}
	sameBits(t, "weights", g.Weights, w.Weights)
	sameBits(t, "optimizer", g.Optimizer, w.Optimizer)
	gl, err := ReadMetricsLog(filepath.Join(got, metricsFile))
	if err != nil {
		t.Fatal(err)
	}
	wl, err := ReadMetricsLog(filepath.Join(want, metricsFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(gl) != len(wl) {
		t.Fatalf("%d metrics records, want %d", len(gl), len(wl))
	}
	for i, r := range wl {
		for _, v := range [][3]any{{"loss", gl[i].Loss, r.Loss}, {"top1", gl[i].Top1, r.Top1}, {"top5", gl[i].Top5, r.Top5}} {
			if a, b := v[1].(float64), v[2].(float64); math.Float64bits(a) != math.Float64bits(b) {
				t.Errorf("epoch %d %s %s: %v resumed, %v straight", r.Epoch, r.Split, v[0], a, b)
			}
		}
	}
}

// TestStopBeforeAnyStep: a run stopped before its first step has nothing
// to save and says so; the folder it made is gone again.
func TestStopBeforeAnyStep(t *testing.T) {
	cfg := tinyConfig(t, 16)
	cfg.Output = filepath.Join(t.TempDir(), "run")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := Run(ctx, cfg, io.Discard)
	var st *Stopped
	if !errors.As(err, &st) || st.Checkpoint != "" || st.Step != 0 || !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want a *Stopped with nothing saved", err)
	}
	if err.Error() != "stopped at epoch 1 step 0 of 2; nothing saved to resume from" {
		t.Errorf("message %q", err)
	}
	if _, err := os.Stat(cfg.Output); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the output folder the run made: %v, want it removed, as nothing was saved", err)
	}
}
