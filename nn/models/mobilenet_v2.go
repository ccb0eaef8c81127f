package models

import (
	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/nn"
)

var _ = register(Spec{"mobilenet_v2", "MobileNet v2 (width 1.0), inverted residuals", "Sandler et al., MobileNetV2", 2018, 224, MobileNetV2})

// MobileNetV2 returns MobileNetV2 with width multiplier 1.0 (Sandler et al.
// 2018, Table 2), as torchvision builds it.
func MobileNetV2(b *nn.Builder, o Options) nn.Module {
	b = b.WithInits(mobileNetInits)
	features := nn.NewSequential(convBN(b, o.inChannels(), 32, 3, 2, 1, autograd.ActReLU6, 1e-5, 0.1))
	in := 32
	// Table 2: expansion t, output channels c, repeats n, first stride s.
	for _, r := range [][4]int{
		{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1},
	} {
		t, c, n, s := r[0], r[1], r[2], r[3]
		for i := range n {
			stride := 1
			if i == 0 {
				stride = s
			}
			features.Append(newInvertedResidual(b, in, c, stride, t))
			in = c
		}
	}
	features.Append(convBN(b, in, 1280, 1, 1, 1, autograd.ActReLU6, 1e-5, 0.1))
	return newMobileNet(features, nn.NewSequential(nn.NewDropout(0.2), b.Linear(1280, o.classes())))
}

// invertedResidual is MobileNetV2's block (Sandler et al. 2018, Table 1): a
// 1x1 expansion (absent when t is 1), a depthwise 3x3, a linear 1x1
// projection, and a shortcut when the shape is kept.
type invertedResidual struct {
	nn.Base
	conv     *nn.Sequential
	residual bool
}

func newInvertedResidual(b *nn.Builder, in, out, stride, t int) *invertedResidual {
	hidden := in * t
	k := &invertedResidual{residual: stride == 1 && in == out}
	conv := &nn.Sequential{}
	if t != 1 {
		conv.Append(convBN(b, in, hidden, 1, 1, 1, autograd.ActReLU6, 1e-5, 0.1))
	}
	conv.Append(convBN(b, hidden, hidden, 3, stride, hidden, autograd.ActReLU6, 1e-5, 0.1))
	conv.Append(b.Conv2D(hidden, out, 1, nn.ConvOptions{}))
	conv.Append(b.BatchNorm2D(out))
	k.conv = nn.Child(&k.Base, "conv", conv)
	return k
}

func (k *invertedResidual) Forward(x *autograd.Tensor) *autograd.Tensor {
	y := k.conv.Forward(x)
	if k.residual {
		y = autograd.Add(x, y)
	}
	return k.Out(y)
}
