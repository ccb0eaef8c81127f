package models

import (
	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/nn"
)

// noAct marks a convBN without activation (MobileNet's linear bottleneck).
const noAct = autograd.Activation(255)

// convBN is torchvision's Conv2dNormActivation: a bias-free convolution,
// batch norm and an activation, named 0, 1, 2. Padding keeps the map size
// at stride 1.
func convBN(b *nn.Builder, cin, cout, k, stride, groups int, act autograd.Activation, eps, momentum float32) *nn.Sequential {
	bn := b.BatchNorm2D(cout)
	bn.Eps, bn.Momentum = eps, momentum
	s := nn.NewSequential(b.Conv2D(cin, cout, k, nn.ConvOptions{Stride: stride, Padding: (k - 1) / 2, Groups: groups}), bn)
	if act != noAct {
		s.Append(nn.NewActivation(act))
	}
	return s
}
