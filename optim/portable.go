package optim

import "github.com/gocnn/gocnn/autograd"

// Portable runs the updates of SGDParams, AdamWParams and RMSpropParams on
// any backend, composed from its elementwise kernels (Copy, Fill, Mul,
// Div, Sqrt, Axpby) with scratch buffers of param's length: several
// kernels per update where a FusedSGD, FusedAdamW or FusedRMSprop backend
// runs one. Results agree with the fused kernels to rounding, not bit for
// bit.
type Portable struct{ autograd.Backend }

var _ Fused = Portable{}

// scratch returns a buffer of n floats and the function that frees it.
func (b Portable) scratch(n int) (autograd.Buffer, func()) {
	buf := b.Alloc(autograd.Float32, n)
	return buf, func() { b.Free(buf) }
}

// decayed returns grad + wd*param: grad itself when wd is 0 and the
// caller does not need a copy to write (own), else a scratch buffer. The
// function returned frees what decayed allocated.
func (b Portable) decayed(wd float32, param, grad autograd.Buffer, own bool) (autograd.Buffer, func()) {
	if wd == 0 && !own {
		return grad, func() {}
	}
	d, free := b.scratch(param.Len())
	b.Copy(d, grad)
	if wd != 0 {
		b.Axpby(wd, param, 1, d)
	}
	return d, free
}

// SGDStep applies one SGD update (see SGDParams).
func (b Portable) SGDStep(p SGDParams, param, grad, momentum autograd.Buffer) {
	d, free := b.decayed(p.WeightDecay, param, grad, p.Nesterov)
	defer free()
	if p.Momentum != 0 {
		if p.FirstStep {
			b.Copy(momentum, d)
		} else {
			b.Axpby(1-p.Dampening, d, p.Momentum, momentum)
		}
		if p.Nesterov {
			b.Axpby(p.Momentum, momentum, 1, d)
		} else {
			d = momentum
		}
	}
	b.Axpby(-p.LR, d, 1, param)
}

// AdamWStep applies one AdamW update (see AdamWParams). It panics when
// p.Step < 1.
func (b Portable) AdamWStep(p AdamWParams, param, grad, expAvg, expAvgSq autograd.Buffer) {
	decay, stepSize, bc2Sqrt := p.Factors()
	n := param.Len()
	t, freeT := b.scratch(n)
	defer freeT()
	u, freeU := b.scratch(n)
	defer freeU()
	b.Axpby(1-p.Beta1, grad, p.Beta1, expAvg)
	b.Mul(grad, grad, t)
	b.Axpby(1-p.Beta2, t, p.Beta2, expAvgSq)
	b.Sqrt(expAvgSq, t)
	b.Fill(u, p.Eps)
	b.Axpby(1/bc2Sqrt, t, 1, u) // u = sqrt(v)/bc2Sqrt + eps
	b.Div(expAvg, u, t)
	b.Axpby(-stepSize, t, decay, param)
}

// RMSpropStep applies one RMSprop update (see RMSpropParams).
func (b Portable) RMSpropStep(p RMSpropParams, param, grad, squareAvg, momentum, gradAvg autograd.Buffer) {
	n := param.Len()
	d, freeD := b.decayed(p.WeightDecay, param, grad, false)
	defer freeD()
	t, freeT := b.scratch(n)
	defer freeT()
	u, freeU := b.scratch(n)
	defer freeU()
	b.Mul(d, d, t)
	b.Axpby(1-p.Alpha, t, p.Alpha, squareAvg)
	avg := squareAvg
	if p.Centered {
		b.Axpby(1-p.Alpha, d, p.Alpha, gradAvg)
		b.Mul(gradAvg, gradAvg, t)
		b.Axpby(1, squareAvg, -1, t) // t = sq - ga^2
		avg = t
	}
	b.Sqrt(avg, u)
	b.Fill(t, p.Eps)
	b.Axpby(1, u, 1, t) // t = sqrt(avg) + eps
	b.Div(d, t, u)      // u = the step
	step := u
	if p.Momentum > 0 {
		b.Axpby(1, u, p.Momentum, momentum)
		step = momentum
	}
	b.Axpby(-p.LR, step, 1, param)
}
