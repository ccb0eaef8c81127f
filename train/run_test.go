package train

import (
	"context"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gocnn/gocnn/checkpoint"
	"github.com/gocnn/gocnn/data/embedded"
)

// tinyConfig is a run small enough for a unit test: ResNet-20 on the
// first n images of the embedded Fashion-MNIST sample, with warmup and a
// cosine decay so that the learning rate changes every step. Its recipe
// fields are filled in, as Run does before it calls newTrainer.
func tinyConfig(t *testing.T, n int) Config {
	cfg := DefaultConfig()
	cfg.Limit = n
	cfg.Batch = 8
	cfg.Epochs = 2
	cfg.LRWarmupEpochs, cfg.LRWarmupMethod = 1, "linear"
	cfg.Output = t.TempDir()
	cfg.Workers = 2
	return cfg.DatasetDefaults()
}

func run(t *testing.T, cfg Config) {
	t.Helper()
	if err := Run(context.Background(), cfg, io.Discard); err != nil {
		t.Fatal(err)
	}
}

// TestResumeIsExact checks that 1 epoch, then a resumed second epoch, ends
// with the same bits (weights, batch-norm statistics, optimizer buffers)
// as 2 epochs straight.
func TestResumeIsExact(t *testing.T) {
	for _, opt := range []string{"sgd", "adamw"} {
		for _, devices := range []int{1, 2} {
			if testing.Short() && (devices > 1 || opt != "sgd") {
				continue
			}
			t.Run(opt+"/devices="+string(rune('0'+devices)), func(t *testing.T) {
				straight := tinyConfig(t, 48)
				straight.Opt, straight.Devices = opt, devices
				if opt == "adamw" {
					straight.LR = 1e-3
				}
				run(t, straight)

				split := resumedAfterOneEpoch(t, straight)
				want, got := lastCheckpoint(t, straight.Output), lastCheckpoint(t, split.Output)
				if got.Epoch != 2 || got.Step != want.Step {
					t.Fatalf("resumed run ends at epoch %d step %d, want 2 and %d", got.Epoch, got.Step, want.Step)
				}
				sameBits(t, "weights", got.Weights, want.Weights)
				sameBits(t, "optimizer", got.Optimizer, want.Optimizer)
				if len(want.Optimizer) == 0 {
					t.Error("no optimizer state saved")
				}
				recs, err := ReadMetricsLog(filepath.Join(split.Output, "metrics.jsonl"))
				if err != nil {
					t.Fatal(err)
				}
				if len(recs) != 4 {
					t.Errorf("resumed run's log has %d records, want 4 (train and val of 2 epochs)", len(recs))
				}
			})
		}
	}
}

// stopAfterOneEpoch runs the first epoch of cfg and stops, as if the
// process had been killed during the second.
func stopAfterOneEpoch(t *testing.T, cfg Config) {
	t.Helper()
	tr, err := newTrainer(&cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.close()
	if err := tr.trainEpoch(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// resumedAfterOneEpoch runs cfg into a fresh folder for one epoch, stops as
// if killed, resumes it to the end, and returns the resumed run's config.
func resumedAfterOneEpoch(t *testing.T, cfg Config) Config {
	t.Helper()
	cfg.Output = t.TempDir()
	stopAfterOneEpoch(t, cfg)
	cfg.Resume = cfg.Output
	run(t, cfg)
	return cfg
}

// lastCheckpoint loads the checkpoint a run left in dir.
func lastCheckpoint(t *testing.T, dir string) *checkpoint.Checkpoint {
	t.Helper()
	ck, err := checkpoint.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return ck
}

func sameBits(t *testing.T, what string, got, want []checkpoint.Tensor) {
	t.Helper()
	byName := map[string]checkpoint.Tensor{}
	for _, h := range want {
		byName[h.Name] = h
	}
	if len(got) != len(want) {
		t.Fatalf("%s: %d tensors, want %d", what, len(got), len(want))
	}
	for _, g := range got {
		w, ok := byName[g.Name]
		if !ok {
			t.Fatalf("%s: unexpected tensor %s", what, g.Name)
		}
		for i := range w.Data {
			if math.Float32bits(g.Data[i]) != math.Float32bits(w.Data[i]) {
				t.Fatalf("%s: %s[%d] = %v, want %v", what, g.Name, i, g.Data[i], w.Data[i])
			}
		}
	}
}

// TestDataParallelMatchesOneDevice checks that two replicas with batch b
// take the same steps as one device with batch 2b, each from one state
// (see sameSteps). Batch norm runs in evaluation mode, so that per-replica
// batch statistics do not enter.
func TestDataParallelMatchesOneDevice(t *testing.T) {
	const b = 4
	one := randomConfig(t, 32)
	one.Batch = 2 * b
	two := one
	two.Batch, two.Devices = b, 2
	sameSteps(t, one, two, 3, true, within(t, 1e-5, 1e-4))
}

// TestNaNLossStopsAndKeepsCheckpoint resumes a run on images normalised
// with a zero standard deviation, which makes the loss NaN.
func TestNaNLossStopsAndKeepsCheckpoint(t *testing.T) {
	cfg := tinyConfig(t, 32)
	stopAfterOneEpoch(t, cfg)
	ds, err := embedded.FashionMNIST("train")
	if err != nil {
		t.Fatal(err)
	}
	bad := cfg
	bad.Resume = cfg.Output
	bad.TrainSet, bad.ValSet = ds, ds
	bad.Mean, bad.Std = []float32{0.5}, []float32{0}
	err = Run(context.Background(), bad, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "loss is NaN at epoch 2 step 5; last good checkpoint: "+filepath.Join(cfg.Output, "checkpoint-epoch001.json")) {
		t.Fatalf("got error %v, want NaN at epoch 2 step 5 naming checkpoint-epoch001.json", err)
	}
	ck, err := checkpoint.Load(cfg.Output)
	if err != nil || ck.Epoch != 1 {
		t.Fatalf("latest checkpoint after the NaN: %v, %v; want epoch 1", ck, err)
	}
}

// TestRunErrors checks that bad input ends the run with one line naming
// the culprit.
func TestRunErrors(t *testing.T) {
	done := tinyConfig(t, 16)
	stopAfterOneEpoch(t, done)
	for _, tc := range []struct {
		name string
		edit func(c *Config)
		want string
	}{
		{"unknown model", func(c *Config) { c.Model = "resnet7" }, `unknown model "resnet7"`},
		{"missing folder", func(c *Config) { c.Dataset, c.Data = "folder", filepath.Join(t.TempDir(), "nope") }, "nope"},
		{"no -data", func(c *Config) { c.Dataset = "cifar10" }, "needs -data"},
		{"used output", func(c *Config) { c.Output = done.Output }, "-resume " + done.Output},
		{"missing weights", func(c *Config) { c.Weights = "/nonexistent.safetensors" }, "/nonexistent.safetensors"},
		{"other model's checkpoint", func(c *Config) { c.Model, c.Resume = "resnet56", done.Output }, "holds a resnet20"},
		{"wrong size for U-Net", func(c *Config) { c.Model, c.Dataset, c.TrainCropSize, c.Batch = "unet", "builtin-seg", 24, 2 }, "divisible by 16"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tinyConfig(t, 16)
			tc.edit(&cfg)
			err := Run(context.Background(), cfg, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %v, want one line containing %q", err, tc.want)
			}
		})
	}
}

// TestEvalOnly checks that -eval-only, given the finished run or its last
// weights file, reports the validation loss and accuracy the run logged.
func TestEvalOnly(t *testing.T) {
	cfg := tinyConfig(t, 32)
	run(t, cfg)
	recs, err := ReadMetricsLog(filepath.Join(cfg.Output, "metrics.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	last := recs[len(recs)-1]
	want := fmt.Sprintf("loss %.4f top-1 %.2f%% top-5 %.2f%%", last.Loss, last.Top1, last.Top5)
	for _, from := range []struct{ resume, weights string }{
		{resume: cfg.Output},
		{weights: filepath.Join(cfg.Output, "checkpoint-epoch002.safetensors")},
	} {
		eval := cfg
		eval.EvalOnly, eval.Resume, eval.Weights, eval.Output = true, from.resume, from.weights, ""
		var out strings.Builder
		if err := Run(context.Background(), eval, &out); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), want) {
			t.Errorf("-eval-only %+v printed\n%s\nwant %q", from, out.String(), want)
		}
	}
}

// TestDropoutStateSurvivesCheckpoint checks that every device's dropout
// sequence goes into the checkpoint and comes back.
func TestDropoutStateSurvivesCheckpoint(t *testing.T) {
	cfg := tinyConfig(t, 16)
	cfg.Devices, cfg.Output = 2, ""
	a, err := newTrainer(&cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range a.reps {
		r.dev.SetDropoutState(uint64(100+i), uint64(7*i+3))
	}
	ck := a.snapshot(nil)
	b, err := newTrainer(&cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.restore(ck, "snapshot", false); err != nil {
		t.Fatal(err)
	}
	for i, r := range b.reps {
		seed, calls := r.dev.DropoutState()
		if seed != uint64(100+i) || calls != uint64(7*i+3) {
			t.Errorf("device %d: dropout state (%d, %d) after restore, want (%d, %d)", i, seed, calls, 100+i, 7*i+3)
		}
	}
}
