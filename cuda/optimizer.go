//go:build cuda

package cuda

import (
	"math"

	"github.com/gocnn/gocnn/autograd"
)

// SGDStep updates param, and momentum when p.Momentum != 0, in place from
// grad (see autograd.SGDParams). momentum may be nil without momentum.
func (b *Backend) SGDStep(p autograd.SGDParams, param, grad, momentum autograd.Buffer) {
	const op = "SGDStep"
	w := b.dev(op, param, autograd.Float32)
	var buf *buffer
	if p.Momentum != 0 {
		buf = b.f32(op, momentum, w.n)
	}
	b.launch1(op, "optimizer", "sgd_step_f32", int64(w.n), w, b.f32(op, grad, w.n), buf, w.n,
		p.LR, p.Momentum, p.Dampening, p.WeightDecay, p.Nesterov, p.FirstStep)
}

// AdamWStep updates param and the moment estimates expAvg and expAvgSq in
// place from grad (see autograd.AdamWParams). It panics when p.Step < 1.
func (b *Backend) AdamWStep(p autograd.AdamWParams, param, grad, expAvg, expAvgSq autograd.Buffer) {
	const op = "AdamWStep"
	if p.Step < 1 {
		panic("cuda: AdamWStep: step must be at least 1")
	}
	w := b.dev(op, param, autograd.Float32)
	// The bias corrections are per call: computed once in float64, as
	// PyTorch computes them in Python floats and the CPU backend does.
	decay := float32(1 - float64(p.LR)*float64(p.WeightDecay))
	stepSize := float32(float64(p.LR) / (1 - math.Pow(float64(p.Beta1), float64(p.Step))))
	bc2Sqrt := float32(math.Sqrt(1 - math.Pow(float64(p.Beta2), float64(p.Step))))
	b.launch1(op, "optimizer", "adamw_step_f32", int64(w.n), w, b.f32(op, grad, w.n),
		b.f32(op, expAvg, w.n), b.f32(op, expAvgSq, w.n), w.n, p.Beta1, p.Beta2, p.Eps, decay, stepSize, bc2Sqrt)
}

// RMSpropStep updates param, squareAvg, and momentum (p.Momentum > 0) and
// gradAvg (p.Centered) in place from grad (see autograd.RMSpropParams).
// momentum and gradAvg may be nil when unused.
func (b *Backend) RMSpropStep(p autograd.RMSpropParams, param, grad, squareAvg, momentum, gradAvg autograd.Buffer) {
	const op = "RMSpropStep"
	w := b.dev(op, param, autograd.Float32)
	var buf, ga *buffer
	if p.Momentum > 0 {
		buf = b.f32(op, momentum, w.n)
	}
	if p.Centered {
		ga = b.f32(op, gradAvg, w.n)
	}
	b.launch1(op, "optimizer", "rmsprop_step_f32", int64(w.n), w, b.f32(op, grad, w.n), b.f32(op, squareAvg, w.n),
		buf, ga, w.n, p.LR, p.Alpha, p.Eps, p.WeightDecay, p.Momentum, p.Centered)
}
