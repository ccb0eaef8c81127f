package cpu

import (
	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/optim"
)

var _ optim.Fused = (*Backend)(nil)

// SGDStep updates param, and momentum when p.Momentum != 0, in place from
// grad (see optim.SGDParams). momentum may be nil without momentum.
func (b *Backend) SGDStep(p optim.SGDParams, param, grad, momentum autograd.Buffer) {
	w, g := floats(param), floats(grad)
	mustLen("SGDStep", len(w), len(g))
	var buf f32
	if p.Momentum != 0 {
		buf = floats(momentum)
		mustLen("SGDStep", len(w), len(buf))
	}
	b.parallelFor(len(w), elementGrain, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			d := g[i]
			if p.WeightDecay != 0 {
				d += p.WeightDecay * w[i]
			}
			if p.Momentum != 0 {
				if p.FirstStep {
					buf[i] = d
				} else {
					buf[i] = p.Momentum*buf[i] + (1-p.Dampening)*d
				}
				if p.Nesterov {
					d += p.Momentum * buf[i]
				} else {
					d = buf[i]
				}
			}
			w[i] -= p.LR * d
		}
	})
}

// AdamWStep updates param and the moment estimates expAvg and expAvgSq in
// place from grad (see optim.AdamWParams). It panics when p.Step < 1.
func (b *Backend) AdamWStep(p optim.AdamWParams, param, grad, expAvg, expAvgSq autograd.Buffer) {
	w, g, m, v := floats(param), floats(grad), floats(expAvg), floats(expAvgSq)
	mustLen("AdamWStep", len(w), len(g), len(m), len(v))
	decay, stepSize, bc2Sqrt := p.Factors()
	b.parallelFor(len(w), elementGrain, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			m[i] = p.Beta1*m[i] + (1-p.Beta1)*g[i]
			v[i] = p.Beta2*v[i] + (1-p.Beta2)*g[i]*g[i]
			denom := sqrt32(v[i])/bc2Sqrt + p.Eps
			w[i] = w[i]*decay - stepSize*m[i]/denom
		}
	})
}

// RMSpropStep updates param, squareAvg, and momentum (p.Momentum > 0) and
// gradAvg (p.Centered) in place from grad (see optim.RMSpropParams).
// momentum and gradAvg may be nil when unused.
func (b *Backend) RMSpropStep(p optim.RMSpropParams, param, grad, squareAvg, momentum, gradAvg autograd.Buffer) {
	w, g, sq := floats(param), floats(grad), floats(squareAvg)
	mustLen("RMSpropStep", len(w), len(g), len(sq))
	var buf, ga f32
	if p.Momentum > 0 {
		buf = floats(momentum)
		mustLen("RMSpropStep", len(w), len(buf))
	}
	if p.Centered {
		ga = floats(gradAvg)
		mustLen("RMSpropStep", len(w), len(ga))
	}
	b.parallelFor(len(w), elementGrain, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			d := g[i]
			if p.WeightDecay != 0 {
				d += p.WeightDecay * w[i]
			}
			sq[i] = p.Alpha*sq[i] + (1-p.Alpha)*d*d
			avg := sq[i]
			if p.Centered {
				ga[i] = p.Alpha*ga[i] + (1-p.Alpha)*d
				avg -= ga[i] * ga[i]
			}
			step := d / (sqrt32(avg) + p.Eps)
			if p.Momentum > 0 {
				buf[i] = p.Momentum*buf[i] + step
				step = buf[i]
			}
			w[i] -= p.LR * step
		}
	})
}
