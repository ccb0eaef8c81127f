package optim

import (
	"fmt"
	"math"

	"github.com/gocnn/gocnn/autograd"
)

// A backend may run each optimizer's update as one fused kernel per
// parameter tensor by implementing FusedSGD, FusedAdamW or FusedRMSprop;
// optim uses them where they are offered and Portable otherwise. The
// kernels update param and their state buffers in place; grad is only
// read. Every buffer has param's length; buffers a configuration does not
// use may be nil.

// FusedSGD is a backend with a fused SGD update.
type FusedSGD interface {
	// SGDStep applies one SGD update to param and, when p.Momentum != 0,
	// to momentum, which is not read when p.FirstStep is set.
	SGDStep(p SGDParams, param, grad, momentum autograd.Buffer)
}

// FusedAdamW is a backend with a fused AdamW update.
type FusedAdamW interface {
	// AdamWStep applies one AdamW update to param and the moment estimates
	// expAvg and expAvgSq. It panics when p.Step < 1.
	AdamWStep(p AdamWParams, param, grad, expAvg, expAvgSq autograd.Buffer)
}

// FusedRMSprop is a backend with a fused RMSprop update.
type FusedRMSprop interface {
	// RMSpropStep applies one RMSprop update to param and squareAvg, to
	// momentum when p.Momentum > 0 and to gradAvg when p.Centered.
	RMSpropStep(p RMSpropParams, param, grad, squareAvg, momentum, gradAvg autograd.Buffer)
}

// Fused is a backend with every fused update, as the CPU and CUDA
// backends are.
type Fused interface {
	FusedSGD
	FusedAdamW
	FusedRMSprop
}

// SGDParams are the hyperparameters of one SGD update, with PyTorch's
// torch.optim.SGD semantics:
//
//	d = grad + WeightDecay*param
//	buf = d                                      (FirstStep)
//	buf = Momentum*buf + (1-Dampening)*d         (later steps)
//	d = d + Momentum*buf (Nesterov), else d = buf (when Momentum != 0)
//	param -= LR*d
type SGDParams struct {
	LR, Momentum, Dampening, WeightDecay float32
	Nesterov                             bool
	// FirstStep starts the momentum buffer at d (it is not read), as
	// PyTorch does on a parameter's first step: no dampening then.
	FirstStep bool
}

// AdamWParams are the hyperparameters of one AdamW update (Loshchilov &
// Hutter, decoupled weight decay) with PyTorch's torch.optim.AdamW
// semantics (amsgrad off):
//
//	param *= 1 - LR*WeightDecay
//	m = Beta1*m + (1-Beta1)*grad
//	v = Beta2*v + (1-Beta2)*grad^2
//	param -= LR/(1-Beta1^Step) * m / (sqrt(v)/sqrt(1-Beta2^Step) + Eps)
type AdamWParams struct {
	LR, Beta1, Beta2, Eps, WeightDecay float32
	// Step is the 1-based count of updates of this parameter, this one
	// included; it sets the bias corrections.
	Step int
}

// Factors returns the per-call constants of the update, computed once in
// float64 as PyTorch computes them in Python floats: decay = 1 -
// LR*WeightDecay, stepSize = LR/(1-Beta1^Step) and bc2Sqrt =
// sqrt(1-Beta2^Step). It panics when p.Step < 1.
func (p AdamWParams) Factors() (decay, stepSize, bc2Sqrt float32) {
	if p.Step < 1 {
		panic(fmt.Sprintf("optim: AdamW step %d, must be at least 1", p.Step))
	}
	decay = float32(1 - float64(p.LR)*float64(p.WeightDecay))
	stepSize = float32(float64(p.LR) / (1 - math.Pow(float64(p.Beta1), float64(p.Step))))
	bc2Sqrt = float32(math.Sqrt(1 - math.Pow(float64(p.Beta2), float64(p.Step))))
	return decay, stepSize, bc2Sqrt
}

// RMSpropParams are the hyperparameters of one RMSprop update with
// PyTorch's torch.optim.RMSprop semantics, Eps added after the square root:
//
//	g = grad + WeightDecay*param
//	sq = Alpha*sq + (1-Alpha)*g^2
//	ga = Alpha*ga + (1-Alpha)*g;   denom = sqrt(sq - ga^2) + Eps   (Centered)
//	                               denom = sqrt(sq) + Eps          (otherwise)
//	buf = Momentum*buf + g/denom;  param -= LR*buf                 (Momentum > 0)
//	                               param -= LR*g/denom             (otherwise)
type RMSpropParams struct {
	LR, Alpha, Eps, WeightDecay, Momentum float32
	Centered                              bool
}

// Unwrapper is a backend that wraps another, as test wrappers do; optim
// looks for the fused updates through it.
type Unwrapper interface {
	Unwrap() autograd.Backend
}

// fused returns the update kernels of type T that be, or a backend it
// wraps, offers, or Portable on be.
func fused[T any](be autograd.Backend) T {
	for b := be; ; {
		if f, ok := b.(T); ok {
			return f
		}
		w, ok := b.(Unwrapper)
		if !ok {
			var p any = Portable{be}
			return p.(T)
		}
		b = w.Unwrap()
	}
}
