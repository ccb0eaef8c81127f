package train

import (
	"context"
	"fmt"
	"io"
	"testing"
)

// TestStepsLeaveNothingToCollect trains an epoch, on GPU 0 in the cuda
// build (the stand-in device in CI) and on the CPU otherwise, and checks
// after every step and after the evaluation that the tensors of the step
// were all released by the loop: the device holds as many buffers as after
// the first step (parameters, gradients, optimizer state), and a garbage
// collection finds no tensor dropped unreleased for the safety net to free
// (on the GPU backend, the kind whose tensors the collector watches).
func TestStepsLeaveNothingToCollect(t *testing.T) {
	cfg := tinyConfig(t, 48)
	cfg.GPUs, cfg.Epochs, cfg.LRWarmupEpochs, cfg.Output = DefaultGPUs(), 1, 0, ""
	tr, err := newTrainer(&cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.close()
	dev := tr.reps[0].dev
	dev.Reclaim()
	before := dev.Stats()
	var buffers int64 // after the first step, which creates the optimizer state
	check := func(when string) {
		t.Helper()
		dev.Reclaim()
		s := dev.Stats()
		if s.Collected != before.Collected {
			t.Errorf("%s: the garbage collector reclaimed %d tensors the loop dropped without releasing",
				when, s.Collected-before.Collected)
		}
		if buffers == 0 {
			buffers = s.Buffers
		} else if s.Buffers != buffers {
			t.Errorf("%s: %d buffers held, %d after the first step", when, s.Buffers, buffers)
		}
		before = s
	}
	tr.hooks.OnStep(func(s StepInfo) error {
		check(fmt.Sprintf("after step %d", s.Step))
		return nil
	})
	if err := tr.trainEpoch(context.Background()); err != nil {
		t.Fatal(err)
	}
	check("after the evaluation")
	if buffers <= int64(len(tr.reps[0].params)) {
		t.Errorf("%d buffers held, not more than the %d parameters: the count does not see the gradients", buffers, len(tr.reps[0].params))
	}
}
