package train

import (
	"context"
	"errors"
	"io"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gocnn/gocnn/checkpoint"
)

// TestHooks runs two epochs with a hook of every kind and checks what they
// see and when; then a failing hook stops a run before its checkpoint.
func TestHooks(t *testing.T) {
	cfg := tinyConfig(t, 48) // 6 steps an epoch
	var events []string
	var steps []StepInfo
	var every []int64
	var epochs []EpochInfo
	cfg.Hooks.OnEpochStart(func(e EpochStart) error {
		events = append(events, "start")
		if e.Steps != 6 {
			t.Errorf("epoch %d starts with %d steps, want 6", e.Epoch, e.Steps)
		}
		return nil
	})
	cfg.Hooks.OnStep(func(s StepInfo) error {
		events = append(events, "step")
		steps = append(steps, s)
		return nil
	})
	cfg.Hooks.EveryNSteps(4, func(s StepInfo) error {
		every = append(every, s.GlobalStep)
		return nil
	})
	cfg.Hooks.OnEpoch(func(e EpochInfo) error {
		events = append(events, "epoch")
		epochs = append(epochs, e)
		// Run's own hooks have saved the epoch already.
		if ck, err := checkpoint.Load(cfg.Output); err != nil || ck.Epoch != e.Val.Epoch {
			t.Errorf("OnEpoch of epoch %d: latest checkpoint %v (%v)", e.Val.Epoch, ck, err)
		}
		return nil
	})
	cfg.Hooks.OnEnd(func() error {
		events = append(events, "end")
		return nil
	})
	run(t, cfg)

	want := "start " + strings.Repeat("step ", 6) + "epoch start " + strings.Repeat("step ", 6) + "epoch end"
	if got := strings.Join(events, " "); got != want {
		t.Errorf("hooks ran as\n%s\nwant\n%s", got, want)
	}
	for i, s := range steps {
		if s.Epoch != i/6+1 || s.Step != i%6+1 || s.Steps != 6 || s.GlobalStep != int64(i+1) || s.Images != 8 ||
			!(s.Loss > 0) || !(s.LR > 0) {
			t.Errorf("step %d: %+v", i, s)
		}
	}
	if len(every) != 3 || every[0] != 4 || every[1] != 8 || every[2] != 12 {
		t.Errorf("EveryNSteps(4) ran after steps %v, want [4 8 12]", every)
	}
	recs, err := ReadMetricsLog(filepath.Join(cfg.Output, "metrics.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if len(epochs) != 2 || len(recs) != 4 {
		t.Fatalf("%d epochs seen, %d records logged", len(epochs), len(recs))
	}
	for i, e := range epochs {
		if e.Train.Split != "train" || e.Val.Split != "val" || e.Val.Loss != recs[2*i+1].Loss ||
			e.Train.Loss != recs[2*i].Loss || e.Val.Top1 != recs[2*i+1].Top1 || e.Val.Time.IsZero() {
			t.Errorf("epoch %d: hooks saw %+v, the log holds %+v", i+1, e, recs[2*i:2*i+2])
		}
	}

	// A hook's error stops the run at once: the step's epoch is not saved.
	stop := errors.New("enough")
	failing := tinyConfig(t, 48)
	failing.Hooks.EveryNSteps(8, func(StepInfo) error { return stop })
	if err := Run(context.Background(), failing, io.Discard); !errors.Is(err, stop) {
		t.Fatalf("Run returned %v, want the hook's error", err)
	}
	if ck, err := checkpoint.Load(failing.Output); err != nil || ck.Epoch != 1 {
		t.Errorf("after a hook stopped epoch 2: latest checkpoint %v (%v), want epoch 1", ck, err)
	}
}

// TestBenchHooks runs -bench and checks that its steps go through the
// hooks and that it prints its one line.
func TestBenchHooks(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Bench, cfg.BenchSteps, cfg.Batch, cfg.Output = true, 2, 2, ""
	var steps []StepInfo
	ended := 0
	cfg.Hooks.OnStep(func(s StepInfo) error {
		steps = append(steps, s)
		return nil
	})
	cfg.Hooks.OnEnd(func() error {
		ended++
		return nil
	})
	var out strings.Builder
	if err := Run(context.Background(), cfg, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "resnet20: 32x32, batch 2 x 1 device(s), 2 steps in ") || !strings.Contains(out.String(), " img/s (fp32, cpu") {
		t.Errorf("-bench printed %q", out.String())
	}
	if len(steps) != benchWarmup+2 || ended != 1 {
		t.Fatalf("%d steps and %d ends seen, want %d and 1", len(steps), ended, benchWarmup+2)
	}
	for i, s := range steps {
		if s.Step != i+1 || s.Steps != len(steps) || s.Images != 2 || !math.IsNaN(s.Loss) {
			t.Errorf("bench step %d: %+v", i, s)
		}
	}
}

func TestEveryNStepsPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("EveryNSteps(0) did not panic")
		}
	}()
	var h Hooks
	h.EveryNSteps(0, func(StepInfo) error { return nil })
}
