package optim_test

import (
	"math"
	"testing"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/cpu"
	"github.com/gocnn/gocnn/optim"
)

// withGrads returns parameters on two devices (a split model) whose
// gradients are (3, 4) and (12), norm 13, plus one without a gradient.
func withGrads() []optim.Param {
	dev0, dev1 := newDevice(), autograd.NewDevice(cpu.NewNamed("cpu:1", 1))
	a := autograd.Zeros(dev0, 2).SetRequiresGrad(true)
	a.SetGrad(autograd.FromFloat32s(dev0, []float32{3, 4}, 2))
	b := autograd.Zeros(dev1, 1).SetRequiresGrad(true)
	b.SetGrad(autograd.FromFloat32s(dev1, []float32{12}, 1))
	return []optim.Param{{Name: "a", Tensor: a}, {Name: "unused", Tensor: autograd.Zeros(dev0, 3)}, {Name: "b", Tensor: b}}
}

func TestClipGradNorm(t *testing.T) {
	params := withGrads()
	if got := optim.ClipGradNorm(params, 26); got != 13 {
		t.Errorf("norm = %v, want 13", got)
	}
	near(t, "unclipped", params[0].Tensor.Grad().Float32s(), []float64{3, 4}, 0, 0)

	params = withGrads()
	if got := optim.ClipGradNorm(params, 6.5); got != 13 {
		t.Errorf("norm = %v, want 13", got)
	}
	coef := 6.5 / (13 + 1e-6)
	near(t, "clipped a", params[0].Tensor.Grad().Float32s(), []float64{3 * coef, 4 * coef}, 1e-7, 1e-6)
	near(t, "clipped b", params[2].Tensor.Grad().Float32s(), []float64{12 * coef}, 1e-7, 1e-6)
	if n := optim.GradNorm(params); math.Abs(n-6.5) > 1e-5 {
		t.Errorf("norm after clipping = %v, want 6.5", n)
	}
}

func TestClipGradNormLeavesNonFinite(t *testing.T) {
	params := withGrads()
	g := params[2].Tensor.Grad()
	g.CopyFrom(autograd.FromFloat32s(g.Device(), []float32{float32(math.Inf(1))}, 1))
	if n := optim.ClipGradNorm(params, 1); !math.IsInf(n, 1) {
		t.Errorf("norm = %v, want +Inf", n)
	}
	near(t, "a", params[0].Tensor.Grad().Float32s(), []float64{3, 4}, 0, 0)
}
