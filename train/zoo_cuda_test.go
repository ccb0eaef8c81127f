//go:build cuda

package train

import (
	"context"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/gocnn/gocnn/cuda"
	"github.com/gocnn/gocnn/nn/models"
)

// zooSteps is the length of the epoch each model trains; its steady state
// is the steps from the third to the last but one (the last feeds no next
// batch).
const zooSteps = 5

// TestZooSyncsPerStep trains every model of the zoo for an epoch of
// zooSteps steps on GPU 0 of the stand-in device, at its usual input size,
// and checks that a steady-state training step (forward, loss, backward,
// update, feeding the next batch, reading the loss and top-k counts back)
// blocks the host at most once, by the stand-in's count (which
// TestActivityMatchesStandIn checks the backend's own count against). It
// logs each model's launches, host syncs and bytes copied to the device
// per step. At full size it needs GOCNN_SIM_SKIP_KERNELS=1, where the
// stand-in checks and counts every launch and copy without running them:
// scripts/standin-check.sh runs it so.
func TestZooSyncsPerStep(t *testing.T) {
	if !cuda.IsStandIn() {
		t.Skip("counts with the stand-in device")
	}
	if os.Getenv("GOCNN_SIM_SKIP_KERNELS") != "1" {
		t.Skip("trains every model at full size: run with GOCNN_SIM_SKIP_KERNELS=1")
	}
	const batch = 2
	for _, spec := range models.All() {
		t.Run(spec.Name, func(t *testing.T) {
			out, err := modelProbe{spec: spec, opt: models.Options{Classes: 10, InChannels: 3}, batch: batch}.run(spec.Input, spec.Input, true)
			if err != nil {
				t.Fatal(err)
			}
			cfg := DefaultConfig()
			cfg.Model, cfg.GPUs, cfg.Batch, cfg.Epochs, cfg.Output, cfg.Workers = spec.Name, []int{0}, batch, 1, "", 2
			cfg.TrainSet = randomImages(zooSteps*batch, spec.Input, len(out) > 2)
			cfg.ValSet = randomImages(batch, spec.Input, len(out) > 2)
			cfg.Segmentation = len(out) > 2
			var counts []cuda.StandInCounters
			cfg.Hooks.OnStep(func(StepInfo) error {
				c, _ := cuda.ReadStandIn(0)
				counts = append(counts, c)
				return nil
			})
			if err := Run(context.Background(), cfg, io.Discard); err != nil {
				t.Fatal(err)
			}
			if len(counts) != zooSteps {
				t.Fatalf("%d steps, want %d", len(counts), zooSteps)
			}
			first, last := counts[1], counts[zooSteps-2] // after steps 2 and 4
			steps := float64(zooSteps - 3)
			syncs := float64(last.Syncs-first.Syncs) / steps
			t.Logf("%s: %.1f launches/step, %.2f host syncs/step, %.0f bytes to the device/step", spec.Name,
				float64(last.Launches-first.Launches)/steps, syncs, float64(last.HtoDBytes-first.HtoDBytes)/steps)
			if syncs > 1 {
				t.Errorf("%.2f host syncs per steady-state step, want at most 1", syncs)
			}
		})
	}
}

// TestResNet50MemoryBudget runs -bench for ResNet-50 at batch 64 (224x224,
// fp32) on the stand-in device and checks its memory line: the peak after
// step 10 is the peak after step 3 (nothing grows from step to step), and
// it is at most 1.25 times the parameters, gradients, optimizer state and
// the tensors saved for backward. Needs GOCNN_SIM_SKIP_KERNELS=1, as
// TestZooSyncsPerStep.
func TestResNet50MemoryBudget(t *testing.T) {
	if !cuda.IsStandIn() || os.Getenv("GOCNN_SIM_SKIP_KERNELS") != "1" {
		t.Skip("counts a full-size step on the stand-in device: run with GOCNN_SIM_SKIP_KERNELS=1")
	}
	cfg := DefaultConfig()
	cfg.Model, cfg.Batch, cfg.GPUs, cfg.Bench, cfg.BenchSteps, cfg.Output = "resnet50", 64, []int{0}, true, 8, ""
	var out strings.Builder
	if err := Run(context.Background(), cfg, &out); err != nil {
		t.Fatal(err)
	}
	t.Log(out.String())
	m := regexp.MustCompile(`peak (\d+) MiB = ([\d.]+)x their sum; peak after step 3 (\d+) MiB, after step 10 (\d+) MiB`).
		FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no memory line in:\n%s", out.String())
	}
	if ratio, _ := strconv.ParseFloat(m[2], 64); ratio > 1.25 {
		t.Errorf("peak %s MiB is %.3f times the sum of its parts, want at most 1.25", m[1], ratio)
	}
	if m[3] != m[4] {
		t.Errorf("peak %s MiB after step 3, %s MiB after step 10: memory grows with steps", m[3], m[4])
	}
}
