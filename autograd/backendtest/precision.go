package backendtest

import (
	"fmt"
	"math"
	"testing"

	"github.com/gocnn/gocnn/autograd"
)

var _ = register("Precision", testPrecision)

// precisionSetter returns the backend behind b that can change its
// precision (looking through wrappers such as Poisoned), or nil.
func precisionSetter(b autograd.Backend) autograd.PrecisionSetter {
	for {
		if s, ok := b.(autograd.PrecisionSetter); ok {
			return s
		}
		w, ok := b.(interface{ Unwrap() autograd.Backend })
		if !ok {
			return nil
		}
		b = w.Unwrap()
	}
}

// testPrecision checks convolutions and matrix products at tf32 and bf16
// against float64 references computed on operands rounded to the format,
// their result rounded too: the numerics of mixed-precision training.
func testPrecision(t *testing.T, dev *autograd.Device) {
	setter := precisionSetter(dev.Backend())
	if setter == nil {
		t.Skip("the backend computes in fp32 only")
	}
	defer setter.SetPrecision(autograd.FP32)
	rng := newRand(t)
	for _, p := range []autograd.Precision{autograd.TF32, autograd.BF16} {
		if s, ok := setter.(autograd.PrecisionSupporter); ok && !s.SupportsPrecision(p) {
			t.Logf("%v: the backend does not compute in it", p)
			continue
		}
		setter.SetPrecision(p)
		testPrecisionByHand(t, dev, p)
		for _, cc := range []convCase{convCases[1], convCases[4], convCases[11], convCases[12], convCases[17]} {
			cp := cc.params()
			x := randn(rng, cc.n*cc.h*cc.w*cc.c)
			w := randn(rng, cc.k*cc.r*cc.s*cc.c/cp.Groups)
			dy := randn(rng, cc.n*cp.P()*cp.Q()*cc.k)
			xt := autograd.FromFloat32s(dev, x, cc.n, cc.h, cc.w, cc.c).SetRequiresGrad(true)
			wt := autograd.FromFloat32s(dev, w, cc.k, cc.r, cc.s, cc.c/cp.Groups).SetRequiresGrad(true)
			y := autograd.Conv2D(xt, wt, cc.o)
			y.BackwardWith(autograd.FromFloat32s(dev, dy, y.Shape()...))
			yRef, dxRef, dwRef := convAllRef(cp, rounded(p, x), rounded(p, w), rounded(p, dy))
			name := fmt.Sprintf("%v Conv2D %s", p, cc.name)
			closeInPrecision(t, p, name+" forward", y.Float32s(), yRef)
			closeInPrecision(t, p, name+" backward data", xt.Grad().Float32s(), dxRef)
			closeInPrecision(t, p, name+" backward filter", wt.Grad().Float32s(), dwRef)
		}
	}
}

// testPrecisionByHand checks a product whose operands all round away in
// p: 1+3/4096 is 1 in bf16 and 1+1/1024 in tf32, so (8, 1) times (1, 8)
// of them is 8 (bf16) or 8*(1+1/1024)^2 rounded, 8.015625 (tf32), not fp32's 8.0117.
func testPrecisionByHand(t *testing.T, dev *autograd.Device, p autograd.Precision) {
	const v = 1 + 3.0/4096
	ones := func(rows, cols int) *autograd.Tensor {
		data := make([]float32, rows*cols)
		for i := range data {
			data[i] = v
		}
		return autograd.FromFloat32s(dev, data, rows, cols)
	}
	want := map[autograd.Precision]float32{autograd.BF16: 8, autograd.TF32: 8.015625}[p]
	for i, got := range autograd.MatMul(ones(3, 8), ones(8, 2)).Float32s() {
		if got != want {
			t.Errorf("%v: (3,8) x (8,2) of %v: element %d = %v, want %v", p, float32(v), i, got, want)
			return
		}
	}
}

// rounded returns v rounded to p, as float64.
func rounded(p autograd.Precision, v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(p.Round(x))
	}
	return out
}

// closeInPrecision checks that every element of got is a value of p and
// within rounding of want: half a unit of p's last place of the result,
// plus fp32 accumulation's slack.
func closeInPrecision(t *testing.T, p autograd.Precision, what string, got []float32, want []float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d elements, want %d", what, len(got), len(want))
	}
	scale := 0.0
	for _, w := range want {
		scale = max(scale, math.Abs(w))
	}
	for i, g := range got {
		tol := 1.01*p.UnitRoundoff()*math.Abs(want[i]) + 1e-5*scale
		if p.Round(g) != g || math.Abs(float64(g)-want[i]) > tol {
			t.Errorf("%s: element %d = %v, want %v within %.3g, a value of %v", what, i, g, want[i], tol, p)
			return
		}
	}
}

// convAllRef returns a convolution's output, input gradient and filter
// gradient for upstream gradient dy, in float64.
func convAllRef(p autograd.ConvParams, x, w, dy []float64) (y, dx, dw []float64) {
	y, dx, dw = convRef(p, x, w), make([]float64, len(x)), make([]float64, len(w))
	forEachTap(p, func(xi, wi, yi int) {
		dx[xi] += dy[yi] * w[wi]
		dw[wi] += dy[yi] * x[xi]
	})
	return y, dx, dw
}
