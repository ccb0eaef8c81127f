package train

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/cpu"
	"github.com/gocnn/gocnn/optim"
)

// TestModelEMAUpdatesAsTorchvision checks when -model-ema updates its
// average: at batches 0, N, 2N, ... of each epoch (-model-ema-steps N),
// restarting it after each update during the warmup epochs, as
// torchvision's train_one_epoch does.
func TestModelEMAUpdatesAsTorchvision(t *testing.T) {
	dev := autograd.NewDevice(cpu.New(1))
	avg, err := optim.NewEMA([]optim.Param{{Name: "w", Tensor: autograd.Zeros(dev, 2)}}, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	m := &modelEMA{avg: avg, every: 3, warmups: 1}
	for s := 1; s <= 7; s++ {
		m.afterStep(0, s)
	}
	if n := avg.NumAveraged(); n != 0 {
		t.Errorf("after a warmup epoch the average holds %d updates, want 0 (restarted after each)", n)
	}
	for s := 1; s <= 7; s++ {
		m.afterStep(1, s)
	}
	if n := avg.NumAveraged(); n != 3 {
		t.Errorf("7 steps of -model-ema-steps 3 after the warmup make %d updates, want 3 (batches 0, 3, 6)", n)
	}
}

// TestResumeIsExactWithEMA checks that with -model-ema, 1 epoch then a
// resumed second one ends with the same bits as 2 epochs straight, the
// average included, that each epoch prints its "ema val" line, and that
// the trained weights are those of the run without -model-ema.
func TestResumeIsExactWithEMA(t *testing.T) {
	straight := tinyConfig(t, 48)
	// No warmup, which would restart the average at every update of the
	// first epoch; a decay that lets the second epoch's updates show.
	straight.ModelEMA, straight.ModelEMASteps, straight.ModelEMADecay, straight.LRWarmupEpochs = true, 2, 0.99, 0
	var out bytes.Buffer
	if err := Run(context.Background(), straight, &out); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"epoch 1 ema val: loss ", "epoch 2 ema val: loss "} {
		if !strings.Contains(out.String(), line) {
			t.Errorf("output has no %q:\n%s", line, out.String())
		}
	}

	// The average leaves the training alone: the weights are those of the
	// run without it, though the average was evaluated in their place.
	plain := straight
	plain.ModelEMA, plain.Output = false, t.TempDir()
	run(t, plain)

	split := resumedAfterOneEpoch(t, straight)
	recs, err := ReadMetricsLog(filepath.Join(split.Output, "metrics.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var emaRecs []int
	for _, r := range recs {
		if r.Split == "ema val" && r.Top1 >= 0 {
			emaRecs = append(emaRecs, r.Epoch)
		}
	}
	if !slices.Equal(emaRecs, []int{1, 2}) {
		t.Errorf("the resumed run's log has ema val records of epochs %v, want [1 2]", emaRecs)
	}

	want, got := lastCheckpoint(t, straight.Output), lastCheckpoint(t, split.Output)
	sameBits(t, "weights", got.Weights, want.Weights)
	sameBits(t, "weights without -model-ema", lastCheckpoint(t, plain.Output).Weights, want.Weights)
	sameBits(t, "optimizer and EMA", got.Optimizer, want.Optimizer)
	// The average covers every weight the checkpoint holds: parameters
	// and batch-norm statistics.
	ema := map[string]bool{}
	for _, h := range want.Optimizer {
		if isEMAState(h.Name) {
			ema[h.Name] = true
		}
	}
	for _, w := range want.Weights {
		if !ema["ema."+w.Name] {
			t.Errorf("checkpoint has no ema.%s", w.Name)
		}
	}
	if len(ema) != len(want.Weights) {
		t.Errorf("checkpoint holds %d EMA tensors, want %d", len(ema), len(want.Weights))
	}
	gotN, wantN := got.OptimizerScalars["ema.n_averaged"], want.OptimizerScalars["ema.n_averaged"]
	if gotN != wantN || wantN == 0 {
		t.Errorf("EMA updates %v after resuming, %v straight (want equal and not 0)", gotN, wantN)
	}
}
