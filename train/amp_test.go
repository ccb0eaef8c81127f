package train

import (
	"context"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/gocnn/gocnn/autograd"
)

// TestAMPReachesTheReplicas checks that -amp sets the replicas' precision:
// their convolutions give values of the format, and Validate takes -amp
// tf32 and bf16 on GPUs.
func TestAMPReachesTheReplicas(t *testing.T) {
	for _, p := range []autograd.Precision{autograd.FP32, autograd.TF32, autograd.BF16} {
		cfg := DefaultConfig().DatasetDefaults()
		cfg.AMP, cfg.Devices = p.String(), 2
		reps, err := newReplicas(&cfg, 2, 10, 1)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range reps {
			x := autograd.FromFloat32s(r.dev, []float32{1.2345678, -2.3456789, 3.4567891, 0.1234567}, 1, 2, 2, 1)
			w := autograd.FromFloat32s(r.dev, []float32{1.0001, 0.5001, -0.7501, 0.3333}, 1, 2, 2, 1)
			y := autograd.Conv2D(x, w, autograd.Conv2DOptions{}).Float32s()[0]
			exact := 1.2345678*1.0001 - 2.3456789*0.5001 - 3.4567891*0.7501 + 0.1234567*0.3333
			if p.Round(y) != y || math.Abs(float64(y)-exact) > 4*p.UnitRoundoff()*5.05 { // 5.05: the sum of the terms' sizes
				t.Errorf("-amp %v on %s: convolution %v, want a %v value near %v", p, r.dev.Name(), y, p, exact)
			}
		}
		closeReplicas(reps)
	}
	cfg := DefaultConfig()
	cfg.GPUs = []int{0}
	for _, amp := range []string{"tf32", "bf16"} {
		cfg.AMP = amp
		if err := cfg.Validate(); err != nil && strings.Contains(err.Error(), "-amp") { // a build without CUDA refuses -gpus
			t.Errorf("-amp %s -gpus 0: %v", amp, err)
		}
	}
}

// TestBF16TrainsLikeFP32 trains the default run (ResNet-20 on the
// embedded Fashion-MNIST sample, 3 epochs) in fp32 and with -amp bf16: the
// bf16 run's validation top-1 must be within one point of the fp32 run's.
// About 4 minutes on 2 cores; skipped with -short.
func TestBF16TrainsLikeFP32(t *testing.T) {
	if testing.Short() {
		t.Skip("two full default runs")
	}
	top1 := map[string]float64{}
	for _, amp := range []string{"fp32", "bf16"} {
		cfg := DefaultConfig()
		cfg.AMP, cfg.Output = amp, ""
		var last Record
		cfg.Hooks.OnEpoch(func(e EpochInfo) error { last = e.Val; return nil })
		if err := Run(context.Background(), cfg, io.Discard); err != nil {
			t.Fatal(err)
		}
		top1[amp] = last.Top1
	}
	t.Logf("validation top-1: fp32 %.2f%%, bf16 %.2f%%", top1["fp32"], top1["bf16"])
	if math.Abs(top1["bf16"]-top1["fp32"]) > 1 {
		t.Errorf("bf16 run's top-1 %.2f%% is more than one point from fp32's %.2f%%", top1["bf16"], top1["fp32"])
	}
}
