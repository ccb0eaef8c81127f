package nn

import "github.com/gocnn/gocnn/autograd"

// Activation applies an elementwise function: ReLU, ReLU6, sigmoid, hard
// sigmoid, hard swish or tanh.
type Activation struct {
	Base
	Kind autograd.Activation
}

// NewActivation returns a layer applying kind.
func NewActivation(kind autograd.Activation) *Activation { return &Activation{Kind: kind} }

// NewReLU returns a ReLU layer.
func NewReLU() *Activation { return NewActivation(autograd.ActReLU) }

// Forward applies the function to every element of x.
func (a *Activation) Forward(x *autograd.Tensor) *autograd.Tensor {
	return a.Out(autograd.Act(x, a.Kind))
}

// Dropout zeroes activations with probability P while training (Srivastava
// et al. 2014) and passes them through in evaluation mode.
type Dropout struct {
	Base
	P float32
}

// NewDropout returns a dropout layer with drop probability p.
func NewDropout(p float32) *Dropout { return &Dropout{P: p} }

// Forward applies dropout in training mode.
func (d *Dropout) Forward(x *autograd.Tensor) *autograd.Tensor {
	return d.Out(autograd.Dropout(x, d.P, d.Training()))
}

// LocalResponseNorm normalises across channels (Krizhevsky et al. 2012,
// section 3.3).
type LocalResponseNorm struct {
	Base
	Opt autograd.LRNOptions
}

// NewLocalResponseNorm returns an LRN layer with the given options.
func NewLocalResponseNorm(o autograd.LRNOptions) *LocalResponseNorm {
	return &LocalResponseNorm{Opt: o}
}

// Forward normalises x across its last (channel) dimension.
func (l *LocalResponseNorm) Forward(x *autograd.Tensor) *autograd.Tensor {
	return l.Out(autograd.LRN(x, l.Opt))
}
