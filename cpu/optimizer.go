package cpu

import (
	"math"

	"github.com/gocnn/gocnn/autograd"
)

// SGDStep updates param, and momentum when p.Momentum != 0, in place from
// grad (see autograd.SGDParams). momentum may be nil without momentum.
func (b *Backend) SGDStep(p autograd.SGDParams, param, grad, momentum autograd.Buffer) {
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
// place from grad (see autograd.AdamWParams). It panics when p.Step < 1.
func (b *Backend) AdamWStep(p autograd.AdamWParams, param, grad, expAvg, expAvgSq autograd.Buffer) {
	w, g, m, v := floats(param), floats(grad), floats(expAvg), floats(expAvgSq)
	mustLen("AdamWStep", len(w), len(g), len(m), len(v))
	if p.Step < 1 {
		panic("cpu: AdamWStep: step must be at least 1")
	}
	// The bias corrections are per call, so they are computed once in
	// float64, as PyTorch computes them in Python floats.
	decay := float32(1 - float64(p.LR)*float64(p.WeightDecay))
	stepSize := float32(float64(p.LR) / (1 - math.Pow(float64(p.Beta1), float64(p.Step))))
	bc2Sqrt := float32(math.Sqrt(1 - math.Pow(float64(p.Beta2), float64(p.Step))))
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
// gradAvg (p.Centered) in place from grad (see autograd.RMSpropParams).
// momentum and gradAvg may be nil when unused.
func (b *Backend) RMSpropStep(p autograd.RMSpropParams, param, grad, squareAvg, momentum, gradAvg autograd.Buffer) {
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

// SumSquares sets y[0] to the sum of x[i]^2, accumulated in float64 per
// chunk and combined in chunk order so the result does not depend on
// timing. y: (1).
func (b *Backend) SumSquares(x, y autograd.Buffer) {
	xv, yv := floats(x), floats(y)
	mustLen("SumSquares", 1, len(yv))
	n := len(xv)
	chunks := b.chunks(n, elementGrain)
	partial := make([]float64, chunks)
	b.parallelFor(n, elementGrain, func(lo, hi int) {
		var s float64
		for _, v := range xv[lo:hi] {
			s += float64(v) * float64(v)
		}
		// Chunk i starts at floor(i*n/chunks); rounding lo*chunks/n up
		// recovers i.
		partial[(lo*chunks+n-1)/n] = s
	})
	var s float64
	for _, v := range partial {
		s += v
	}
	yv[0] = float32(s)
}

func sqrt32(x float32) float32 { return float32(math.Sqrt(float64(x))) }
