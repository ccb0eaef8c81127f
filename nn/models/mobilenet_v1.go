package models

import (
	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/nn"
)

// MobileNet is a trunk of convolution blocks ("features") followed by global
// average pooling and a classifier, the layout of torchvision's MobileNets.
type MobileNet struct {
	nn.Base
	Features   *nn.Sequential
	pool       *nn.GlobalAvgPool
	Classifier *nn.Sequential
}

// Forward maps images (N, H, W, C) to logits (N, classes).
func (m *MobileNet) Forward(x *autograd.Tensor) *autograd.Tensor {
	return m.Out(m.Classifier.Forward(m.pool.Forward(m.Features.Forward(x))))
}

func newMobileNet(features, classifier *nn.Sequential) *MobileNet {
	m := &MobileNet{}
	m.Features = nn.Child(&m.Base, "features", features)
	m.pool = nn.NewGlobalAvgPool()
	m.Classifier = nn.Child(&m.Base, "classifier", classifier)
	return m
}

// mobileNetInits are torchvision's MobileNetV2/V3 initialisation (Kaiming
// normal fan-out convolutions, zero biases, N(0, 0.01^2) linear weights).
var mobileNetInits = nn.Inits{ConvWeight: nn.KaimingNormalFanOut, ConvBias: nn.Zeros, LinearWeight: nn.Normal(0.01), LinearBias: nn.Zeros}

var _ = register(Spec{"mobilenet_v1", "MobileNet v1 (width 1.0), depthwise separable convolutions", "Howard et al., MobileNets", 2017, 224, MobileNetV1})

// MobileNetV1 returns MobileNet with width multiplier 1.0 (Howard et al.
// 2017, Table 1): each block a depthwise 3x3 and a pointwise 1x1
// convolution, each with batch norm and ReLU, then a linear classifier.
// Initialised as torchvision's MobileNetV2.
func MobileNetV1(b *nn.Builder, o Options) nn.Module {
	b = b.WithInits(mobileNetInits)
	features := nn.NewSequential(convBN(b, o.inChannels(), 32, 3, 2, 1, autograd.ActReLU, 1e-5, 0.1))
	in := 32
	// Table 1: (output channels, stride) of each depthwise separable block.
	for _, l := range [][2]int{
		{64, 1}, {128, 2}, {128, 1}, {256, 2}, {256, 1}, {512, 2},
		{512, 1}, {512, 1}, {512, 1}, {512, 1}, {512, 1},
		{1024, 2}, {1024, 1},
	} {
		features.Append(nn.NewSequential(
			convBN(b, in, in, 3, l[1], in, autograd.ActReLU, 1e-5, 0.1),
			convBN(b, in, l[0], 1, 1, 1, autograd.ActReLU, 1e-5, 0.1),
		))
		in = l[0]
	}
	return newMobileNet(features, nn.NewSequential(b.Linear(in, o.classes())))
}
