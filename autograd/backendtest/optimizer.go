package backendtest

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/gocnn/gocnn/autograd"
)

var _ = register("Optimizer", testOptimizer)

// optimSizes are tensor lengths for the update kernels: tiny, odd, and
// large enough to be split across workers.
var optimSizes = []int{1, 37, 70001}

// testOptimizer checks the fused, in-place optimizer kernels: one call
// each against a float64 reference, from random state, grad unchanged.
// They are not differentiable, so they are called on the backend directly.
func testOptimizer(t *testing.T, dev *autograd.Device) {
	rng := newRand(t)
	be := dev.Backend()
	tensor := func(v []float32) *autograd.Tensor { return autograd.FromFloat32s(dev, v, len(v)) }
	// positive returns running means of squares, at least floor.
	positive := func(n int, floor float32) []float32 {
		v := randn(rng, n)
		for i := range v {
			v[i] = v[i]*v[i] + floor
		}
		return v
	}
	for _, n := range optimSizes {
		w0, g0, m0 := randn(rng, n), randn(rng, n), randn(rng, n)
		for _, p := range []autograd.SGDParams{
			{LR: 0.1},
			{LR: 0.1, WeightDecay: 1e-2, Momentum: 0.9, FirstStep: true},
			{LR: 0.05, WeightDecay: 1e-3, Momentum: 0.8, Dampening: 0.25},
			{LR: 0.1, WeightDecay: 1e-4, Momentum: 0.9, Nesterov: true},
			{LR: 0.1, Momentum: 0.9, Nesterov: true, FirstStep: true},
		} {
			w, g := tensor(w0), tensor(g0)
			var buf *autograd.Tensor
			var bufBuf autograd.Buffer
			if p.Momentum != 0 {
				buf = tensor(m0)
				if p.FirstStep {
					buf = autograd.Empty(dev, autograd.Float32, n) // NaN: must not be read
				}
				bufBuf = buf.Buffer()
			}
			be.SGDStep(p, w.Buffer(), g.Buffer(), bufBuf)
			wantW, wantM := make([]float64, n), make([]float64, n)
			for i := range n {
				d := float64(g0[i]) + float64(p.WeightDecay)*float64(w0[i])
				if p.Momentum != 0 {
					m := d
					if !p.FirstStep {
						m = float64(p.Momentum)*float64(m0[i]) + (1-float64(p.Dampening))*d
					}
					wantM[i] = m
					if p.Nesterov {
						d += float64(p.Momentum) * m
					} else {
						d = m
					}
				}
				wantW[i] = float64(w0[i]) - float64(p.LR)*d
			}
			what := fmt.Sprintf("SGDStep n=%d %+v", n, p)
			allClose(t, what+" param", w.Float32s(), wantW, 1e-6, 1e-5)
			if buf != nil {
				allClose(t, what+" momentum", buf.Float32s(), wantM, 1e-6, 1e-5)
			}
			unchanged(t, what, g, g0)
		}

		v0 := positive(n, 0.01)
		for _, p := range []autograd.AdamWParams{
			{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.01, Step: 1},
			{LR: 1e-2, Beta1: 0.8, Beta2: 0.99, Eps: 1e-3, WeightDecay: 0.1, Step: 7},
		} {
			w, g, m, v := tensor(w0), tensor(g0), tensor(m0), tensor(v0)
			be.AdamWStep(p, w.Buffer(), g.Buffer(), m.Buffer(), v.Buffer())
			b1, b2, lr := float64(p.Beta1), float64(p.Beta2), float64(p.LR)
			bc1, bc2 := 1-math.Pow(b1, float64(p.Step)), 1-math.Pow(b2, float64(p.Step))
			wantW, wantM, wantV := make([]float64, n), make([]float64, n), make([]float64, n)
			for i := range n {
				gi := float64(g0[i])
				wantM[i] = b1*float64(m0[i]) + (1-b1)*gi
				wantV[i] = b2*float64(v0[i]) + (1-b2)*gi*gi
				wantW[i] = float64(w0[i])*(1-lr*float64(p.WeightDecay)) - lr/bc1*wantM[i]/(math.Sqrt(wantV[i]/bc2)+float64(p.Eps))
			}
			what := fmt.Sprintf("AdamWStep n=%d %+v", n, p)
			allClose(t, what+" param", w.Float32s(), wantW, 1e-6, 1e-5)
			allClose(t, what+" exp_avg", m.Float32s(), wantM, 1e-6, 1e-5)
			allClose(t, what+" exp_avg_sq", v.Float32s(), wantV, 1e-6, 1e-5)
			unchanged(t, what, g, g0)
		}

		ga0 := randn(rng, n)
		for i := range ga0 {
			ga0[i] *= 0.1
		}
		for _, p := range []autograd.RMSpropParams{
			{LR: 0.064, Alpha: 0.9, Eps: 0.0316, WeightDecay: 1e-5, Momentum: 0.9},
			{LR: 0.01, Alpha: 0.99, Eps: 1e-8},
			{LR: 0.01, Alpha: 0.9, Eps: 1e-3, WeightDecay: 1e-2, Momentum: 0.5, Centered: true},
		} {
			// A floor of 1 keeps sq - ga^2 positive (so the root is real),
			// as it is for running means of the same gradients.
			w, g, sq := tensor(w0), tensor(g0), tensor(positive(n, 1))
			sq0 := sq.Float32s()
			var mom, ga *autograd.Tensor
			var momBuf, gaBuf autograd.Buffer
			if p.Momentum > 0 {
				mom = tensor(m0)
				momBuf = mom.Buffer()
			}
			if p.Centered {
				ga = tensor(ga0)
				gaBuf = ga.Buffer()
			}
			be.RMSpropStep(p, w.Buffer(), g.Buffer(), sq.Buffer(), momBuf, gaBuf)
			alpha := float64(p.Alpha)
			wantW, wantSq, wantM, wantGa := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
			for i := range n {
				d := float64(g0[i]) + float64(p.WeightDecay)*float64(w0[i])
				wantSq[i] = alpha*float64(sq0[i]) + (1-alpha)*d*d
				avg := wantSq[i]
				if p.Centered {
					wantGa[i] = alpha*float64(ga0[i]) + (1-alpha)*d
					avg -= wantGa[i] * wantGa[i]
				}
				step := d / (math.Sqrt(avg) + float64(p.Eps))
				if p.Momentum > 0 {
					wantM[i] = float64(p.Momentum)*float64(m0[i]) + step
					step = wantM[i]
				}
				wantW[i] = float64(w0[i]) - float64(p.LR)*step
			}
			what := fmt.Sprintf("RMSpropStep n=%d %+v", n, p)
			allClose(t, what+" param", w.Float32s(), wantW, 1e-6, 1e-5)
			allClose(t, what+" square_avg", sq.Float32s(), wantSq, 1e-6, 1e-5)
			if mom != nil {
				allClose(t, what+" momentum", mom.Float32s(), wantM, 1e-6, 1e-5)
			}
			if ga != nil {
				allClose(t, what+" grad_avg", ga.Float32s(), wantGa, 1e-6, 1e-5)
			}
			unchanged(t, what, g, g0)
		}

		x := tensor(g0)
		y := autograd.Empty(dev, autograd.Float32, 1)
		be.SumSquares(x.Buffer(), y.Buffer())
		var want float64
		for _, v := range g0 {
			want += float64(v) * float64(v)
		}
		allClose(t, fmt.Sprintf("SumSquares n=%d", n), y.Float32s(), []float64{want}, 0, 1e-6)
		unchanged(t, "SumSquares", x, g0)
	}
}

// unchanged reports an input a kernel must not write that it did.
func unchanged(t *testing.T, what string, x *autograd.Tensor, want []float32) {
	t.Helper()
	if !slices.Equal(x.Float32s(), want) {
		t.Errorf("%s: input modified", what)
	}
}
