package backendtest

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/optim"
)

var _ = register("Optimizer", testOptimizer)

// optimSizes are tensor lengths for the update kernels: tiny, odd, and
// large enough to be split across workers.
var optimSizes = []int{1, 37, 70001}

// optimizerStep is one implementation of optim's updates.
type optimizerStep struct {
	name  string
	steps any // optim.FusedSGD, FusedAdamW and FusedRMSprop, as implemented
}

// optimizerSteps are the implementations of optim's updates that run on a
// backend: the portable ones always, and the fused kernels of the backend
// (looked for through Poisoned) when it offers them.
func optimizerSteps(be autograd.Backend) []optimizerStep {
	steps := []optimizerStep{{"portable", optim.Portable{Backend: be}}}
	if w, ok := be.(optim.Unwrapper); ok {
		be = w.Unwrap()
	}
	_, sgd := be.(optim.FusedSGD)
	_, adamw := be.(optim.FusedAdamW)
	_, rmsprop := be.(optim.FusedRMSprop)
	if sgd || adamw || rmsprop {
		steps = append(steps, optimizerStep{"fused", be})
	}
	return steps
}

// testOptimizer checks each implementation of the in-place optimizer
// updates (see optimizerSteps): one call each against a float64
// reference, from random state, grad unchanged. They are not
// differentiable, so they are called directly.
func testOptimizer(t *testing.T, dev *autograd.Device) {
	for _, impl := range optimizerSteps(dev.Backend()) {
		t.Run(impl.name, func(t *testing.T) {
			if s, ok := impl.steps.(optim.FusedSGD); ok {
				testSGDStep(t, dev, s)
			}
			if s, ok := impl.steps.(optim.FusedAdamW); ok {
				testAdamWStep(t, dev, s)
			}
			if s, ok := impl.steps.(optim.FusedRMSprop); ok {
				testRMSpropStep(t, dev, s)
			}
		})
	}
}

// optimTensor returns a one-dimensional tensor holding v.
func optimTensor(dev *autograd.Device, v []float32) *autograd.Tensor {
	return autograd.FromFloat32s(dev, v, len(v))
}

// optimState is random state for the update tests: weights, gradients,
// a momentum or first moment, a positive running mean of squares (at
// least floor) and a small gradient mean.
type optimState struct {
	w, g, m, sq, ga []float32
}

func newOptimState(t *testing.T, n int, floor float32) optimState {
	rng := newRand(t)
	s := optimState{w: randn(rng, n), g: randn(rng, n), m: randn(rng, n), sq: randn(rng, n), ga: randn(rng, n)}
	for i := range n {
		s.sq[i] = s.sq[i]*s.sq[i] + floor
		s.ga[i] *= 0.1
	}
	return s
}

func testSGDStep(t *testing.T, dev *autograd.Device, steps optim.FusedSGD) {
	for _, n := range optimSizes {
		s := newOptimState(t, n, 0)
		for _, p := range []optim.SGDParams{
			{LR: 0.1},
			{LR: 0.1, WeightDecay: 1e-2, Momentum: 0.9, FirstStep: true},
			{LR: 0.05, WeightDecay: 1e-3, Momentum: 0.8, Dampening: 0.25},
			{LR: 0.1, WeightDecay: 1e-4, Momentum: 0.9, Nesterov: true},
			{LR: 0.1, Momentum: 0.9, Nesterov: true, FirstStep: true},
			{LR: 0.1, Momentum: 0.9, Nesterov: true},
		} {
			w, g := optimTensor(dev, s.w), optimTensor(dev, s.g)
			var buf *autograd.Tensor
			var bufBuf autograd.Buffer
			if p.Momentum != 0 {
				buf = optimTensor(dev, s.m)
				if p.FirstStep {
					buf = autograd.Empty(dev, autograd.Float32, n) // NaN: must not be read
				}
				bufBuf = buf.Buffer()
			}
			steps.SGDStep(p, w.Buffer(), g.Buffer(), bufBuf)
			wantW, wantM := make([]float64, n), make([]float64, n)
			for i := range n {
				d := float64(s.g[i]) + float64(p.WeightDecay)*float64(s.w[i])
				if p.Momentum != 0 {
					m := d
					if !p.FirstStep {
						m = float64(p.Momentum)*float64(s.m[i]) + (1-float64(p.Dampening))*d
					}
					wantM[i] = m
					if p.Nesterov {
						d += float64(p.Momentum) * m
					} else {
						d = m
					}
				}
				wantW[i] = float64(s.w[i]) - float64(p.LR)*d
			}
			what := fmt.Sprintf("SGDStep n=%d %+v", n, p)
			allClose(t, what+" param", w.Float32s(), wantW, 1e-6, 1e-5)
			if buf != nil {
				allClose(t, what+" momentum", buf.Float32s(), wantM, 1e-6, 1e-5)
			}
			unchanged(t, what, g, s.g)
		}
	}
}

func testAdamWStep(t *testing.T, dev *autograd.Device, steps optim.FusedAdamW) {
	for _, n := range optimSizes {
		s := newOptimState(t, n, 0.01)
		for _, p := range []optim.AdamWParams{
			{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8, WeightDecay: 0.01, Step: 1},
			{LR: 1e-2, Beta1: 0.8, Beta2: 0.99, Eps: 1e-3, WeightDecay: 0.1, Step: 7},
		} {
			w, g, m, v := optimTensor(dev, s.w), optimTensor(dev, s.g), optimTensor(dev, s.m), optimTensor(dev, s.sq)
			steps.AdamWStep(p, w.Buffer(), g.Buffer(), m.Buffer(), v.Buffer())
			b1, b2, lr := float64(p.Beta1), float64(p.Beta2), float64(p.LR)
			bc1, bc2 := 1-math.Pow(b1, float64(p.Step)), 1-math.Pow(b2, float64(p.Step))
			wantW, wantM, wantV := make([]float64, n), make([]float64, n), make([]float64, n)
			for i := range n {
				gi := float64(s.g[i])
				wantM[i] = b1*float64(s.m[i]) + (1-b1)*gi
				wantV[i] = b2*float64(s.sq[i]) + (1-b2)*gi*gi
				wantW[i] = float64(s.w[i])*(1-lr*float64(p.WeightDecay)) - lr/bc1*wantM[i]/(math.Sqrt(wantV[i]/bc2)+float64(p.Eps))
			}
			what := fmt.Sprintf("AdamWStep n=%d %+v", n, p)
			allClose(t, what+" param", w.Float32s(), wantW, 1e-6, 1e-5)
			allClose(t, what+" exp_avg", m.Float32s(), wantM, 1e-6, 1e-5)
			allClose(t, what+" exp_avg_sq", v.Float32s(), wantV, 1e-6, 1e-5)
			unchanged(t, what, g, s.g)
		}
	}
}

func testRMSpropStep(t *testing.T, dev *autograd.Device, steps optim.FusedRMSprop) {
	for _, n := range optimSizes {
		// A floor of 1 keeps sq - ga^2 positive (so the root is real), as
		// it is for running means of the same gradients.
		s := newOptimState(t, n, 1)
		for _, p := range []optim.RMSpropParams{
			{LR: 0.064, Alpha: 0.9, Eps: 0.0316, WeightDecay: 1e-5, Momentum: 0.9},
			{LR: 0.01, Alpha: 0.99, Eps: 1e-8},
			{LR: 0.01, Alpha: 0.9, Eps: 1e-3, WeightDecay: 1e-2, Momentum: 0.5, Centered: true},
		} {
			w, g, sq := optimTensor(dev, s.w), optimTensor(dev, s.g), optimTensor(dev, s.sq)
			var mom, ga *autograd.Tensor
			var momBuf, gaBuf autograd.Buffer
			if p.Momentum > 0 {
				mom = optimTensor(dev, s.m)
				momBuf = mom.Buffer()
			}
			if p.Centered {
				ga = optimTensor(dev, s.ga)
				gaBuf = ga.Buffer()
			}
			steps.RMSpropStep(p, w.Buffer(), g.Buffer(), sq.Buffer(), momBuf, gaBuf)
			alpha := float64(p.Alpha)
			wantW, wantSq, wantM, wantGa := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
			for i := range n {
				d := float64(s.g[i]) + float64(p.WeightDecay)*float64(s.w[i])
				wantSq[i] = alpha*float64(s.sq[i]) + (1-alpha)*d*d
				avg := wantSq[i]
				if p.Centered {
					wantGa[i] = alpha*float64(s.ga[i]) + (1-alpha)*d
					avg -= wantGa[i] * wantGa[i]
				}
				step := d / (math.Sqrt(avg) + float64(p.Eps))
				if p.Momentum > 0 {
					wantM[i] = float64(p.Momentum)*float64(s.m[i]) + step
					step = wantM[i]
				}
				wantW[i] = float64(s.w[i]) - float64(p.LR)*step
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
			unchanged(t, what, g, s.g)
		}
	}
}

// unchanged reports an input a kernel must not write that it did.
func unchanged(t *testing.T, what string, x *autograd.Tensor, want []float32) {
	t.Helper()
	if !slices.Equal(x.Float32s(), want) {
		t.Errorf("%s: input modified", what)
	}
}
