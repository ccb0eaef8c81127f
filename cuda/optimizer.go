//go:build cuda

package cuda

import (
	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/kernels"
	"github.com/gocnn/gocnn/optim"
)

var _ optim.Fused = (*Backend)(nil)

// SGDStep updates param, and momentum when p.Momentum != 0, in place from
// grad (see optim.SGDParams). momentum may be nil without momentum.
func (b *Backend) SGDStep(p optim.SGDParams, param, grad, momentum autograd.Buffer) {
	const op = "SGDStep"
	w := b.dev(op, param, autograd.Float32)
	var buf *buffer
	if p.Momentum != 0 {
		buf = b.f32(op, momentum, w.n)
	}
	b.launch1(op, kernels.SGDStep, int64(w.n), w, b.f32(op, grad, w.n), buf, w.n,
		p.LR, p.Momentum, p.Dampening, p.WeightDecay, p.Nesterov, p.FirstStep)
}

// AdamWStep updates param and the moment estimates expAvg and expAvgSq in
// place from grad (see optim.AdamWParams). It panics when p.Step < 1.
func (b *Backend) AdamWStep(p optim.AdamWParams, param, grad, expAvg, expAvgSq autograd.Buffer) {
	const op = "AdamWStep"
	decay, stepSize, bc2Sqrt := p.Factors()
	w := b.dev(op, param, autograd.Float32)
	b.launch1(op, kernels.AdamWStep, int64(w.n), w, b.f32(op, grad, w.n),
		b.f32(op, expAvg, w.n), b.f32(op, expAvgSq, w.n), w.n, p.Beta1, p.Beta2, p.Eps, decay, stepSize, bc2Sqrt)
}

// RMSpropStep updates param, squareAvg, and momentum (p.Momentum > 0) and
// gradAvg (p.Centered) in place from grad (see optim.RMSpropParams).
// momentum and gradAvg may be nil when unused.
func (b *Backend) RMSpropStep(p optim.RMSpropParams, param, grad, squareAvg, momentum, gradAvg autograd.Buffer) {
	const op = "RMSpropStep"
	w := b.dev(op, param, autograd.Float32)
	var buf, ga *buffer
	if p.Momentum > 0 {
		buf = b.f32(op, momentum, w.n)
	}
	if p.Centered {
		ga = b.f32(op, gradAvg, w.n)
	}
	b.launch1(op, kernels.RMSpropStep, int64(w.n), w, b.f32(op, grad, w.n), b.f32(op, squareAvg, w.n),
		buf, ga, w.n, p.LR, p.Alpha, p.Eps, p.WeightDecay, p.Momentum, p.Centered)
}
