package nn

import "github.com/gocnn/gocnn/autograd"

// Linear is a fully connected layer, y = x w^T + b, as PyTorch's nn.Linear.
type Linear struct {
	Base
	Weight *autograd.Tensor // (out, in)
	Bias   *autograd.Tensor // (out), nil without bias
}

// Linear returns a fully connected layer from in to out features with a
// bias, initialised by the builder's LinearWeight and LinearBias.
func (b *Builder) Linear(in, out int) *Linear {
	l := &Linear{}
	l.Weight = l.AddParam("weight", b.Param(b.inits.LinearWeight, in, out, out, in))
	l.Bias = l.AddParam("bias", b.Param(b.inits.LinearBias, in, out, out))
	return l
}

// Forward maps x (N, in) to (N, out).
func (l *Linear) Forward(x *autograd.Tensor) *autograd.Tensor {
	return l.Out(autograd.Linear(x, l.Weight, l.Bias))
}

// Flatten reshapes (N, H, W, C) to (N, H*W*C).
type Flatten struct{ Base }

// NewFlatten returns a Flatten layer.
//
// Flattening an NHWC map orders features (h, w, c), not PyTorch's (c, h,
// w): when the map is larger than 1x1 (AlexNet, VGG), the checkpoint code
// must permute the columns of the following Linear's weight between the two
// orders when converting to or from PyTorch.
func NewFlatten() *Flatten { return &Flatten{} }

// Forward flattens every dimension but the first.
func (f *Flatten) Forward(x *autograd.Tensor) *autograd.Tensor {
	return f.Out(autograd.Flatten(x))
}
