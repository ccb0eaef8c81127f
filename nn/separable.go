package nn

import "github.com/gocnn/gocnn/autograd"

// SeparableConv2D is a depthwise k x k convolution followed by a pointwise
// 1x1 one, without biases (Chollet 2017; names as timm's legacy Xception:
// conv1, pointwise).
type SeparableConv2D struct {
	Base
	Depthwise, Pointwise *Conv2D
}

// SeparableConv2D returns a separable convolution from cin to cout channels;
// o configures the depthwise step (its Groups and Bias are ignored).
func (b *Builder) SeparableConv2D(cin, cout, k int, o ConvOptions) *SeparableConv2D {
	s := &SeparableConv2D{}
	o.Groups, o.Bias = cin, false
	s.Depthwise = Child(&s.Base, "conv1", b.Conv2D(cin, cin, k, o))
	s.Pointwise = Child(&s.Base, "pointwise", b.Conv2D(cin, cout, 1, ConvOptions{}))
	return s
}

// Forward applies the depthwise then the pointwise convolution.
func (s *SeparableConv2D) Forward(x *autograd.Tensor) *autograd.Tensor {
	return s.Out(s.Pointwise.Forward(s.Depthwise.Forward(x)))
}
