package train

import (
	"context"
	"io"
	"strings"
	"testing"
)

// TestSplitStepReleasesBothDevices trains -split on two CPU devices and
// checks that a step gives back every tensor it made on either device:
// the buffers held on each are the same after the second and the third
// step (the step's scope spans both devices, not only the one that holds
// the input).
func TestSplitStepReleasesBothDevices(t *testing.T) {
	cfg := splitCPUConfig(t)
	cfg.Output = ""
	tr, err := newTrainer(&cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.close()
	if len(tr.reps) != 1 || len(tr.reps[0].devs) != 2 {
		t.Fatalf("%d replicas, the first on %d devices; want one on two", len(tr.reps), len(tr.reps[0].devs))
	}
	ep := tr.trainLoader.Epoch(0)
	defer ep.Close()
	var held [2][2]int64
	for step := range 3 {
		if _, _, err := tr.feed(ep, tr.trainIn); err != nil {
			t.Fatal(err)
		}
		if err := tr.queueStep(0.01); err != nil {
			t.Fatal(err)
		}
		if _, err := tr.readStep([]*scores{newScores(10, false)}); err != nil {
			t.Fatal(err)
		}
		if step > 0 {
			for d, dev := range tr.reps[0].devs {
				held[step-1][d] = dev.Stats().Buffers
			}
		}
	}
	if held[0] != held[1] {
		t.Errorf("buffers held on the two devices after step 2: %v, after step 3: %v; want the same", held[0], held[1])
	}
}

// splitCPUConfig is -split on two CPU devices: alexnet2012 on 8 random
// 67x67 images (its smallest input that leaves every pooling a window) at
// batch 2, for one epoch.
func splitCPUConfig(t *testing.T) Config {
	cfg := tinyConfig(t, 8)
	cfg.Model, cfg.Batch, cfg.Epochs, cfg.LRWarmupEpochs, cfg.Devices, cfg.Dist.Split = "alexnet2012", 2, 1, 0, 2, true
	cfg.TrainSet, cfg.ValSet = randomImages(8, 67, false), randomImages(2, 67, false)
	cfg.Mean, cfg.Std = []float32{0.5, 0.5, 0.5}, []float32{0.25, 0.25, 0.25}
	return cfg
}

// TestSplitCheckpointResumesSplit runs -split and checks that its start
// line names both devices and that its checkpoint records -split, whose
// parameters (tower0.*, tower1.*) only a split model has, so that -resume
// rebuilds it.
func TestSplitCheckpointResumesSplit(t *testing.T) {
	cfg := splitCPUConfig(t)
	var out strings.Builder
	if err := Run(context.Background(), cfg, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "parameters, on cpu:0, cpu:1;") {
		t.Errorf("the run's output does not name both devices:\n%s", out.String())
	}
	got, err := ResumeSettings(cfg.Output)
	if err != nil {
		t.Fatal(err)
	}
	if got["split"] != "true" || got["devices"] != "2" {
		t.Errorf("the checkpoint resumes with -split %q -devices %q, want true and 2", got["split"], got["devices"])
	}
}
