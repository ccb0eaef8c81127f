package nn

import "github.com/gocnn/gocnn/autograd"

// SqueezeExcitation gates channels by a function of their global means (Hu
// et al. 2018): s = gate(fc2(act(fc1(mean(x))))), y = x * s. fc1 and fc2
// are 1x1 convolutions with biases, as torchvision's.
type SqueezeExcitation struct {
	Base
	FC1, FC2  *Conv2D
	Act, Gate autograd.Activation
}

// SqueezeExcitation returns an SE block on c channels squeezed to squeeze,
// with act between the layers and gate (sigmoid, or hard sigmoid in
// MobileNetV3) at the end.
func (b *Builder) SqueezeExcitation(c, squeeze int, act, gate autograd.Activation) *SqueezeExcitation {
	se := &SqueezeExcitation{Act: act, Gate: gate}
	se.FC1 = Child(&se.Base, "fc1", b.Conv2D(c, squeeze, 1, ConvOptions{Bias: true}))
	se.FC2 = Child(&se.Base, "fc2", b.Conv2D(squeeze, c, 1, ConvOptions{Bias: true}))
	return se
}

// Forward gates x (N, H, W, C).
func (se *SqueezeExcitation) Forward(x *autograd.Tensor) *autograd.Tensor {
	n, _, _, c := x.Shape().NHWC("SqueezeExcitation")
	s := autograd.Reshape(autograd.GlobalAvgPool(x), n, 1, 1, c)
	s = autograd.Act(se.FC2.Forward(autograd.Act(se.FC1.Forward(s), se.Act)), se.Gate)
	return se.Out(autograd.ScaleChannels(x, autograd.Reshape(s, n, c)))
}
