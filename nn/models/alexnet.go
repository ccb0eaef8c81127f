package models

import (
	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/nn"
)

// Features is a convolutional trunk followed by a classifier, the layout of
// torchvision's AlexNet and VGG: features, avgpool, classifier.
type Features struct {
	nn.Base
	Features   *nn.Sequential
	avgpool    *nn.AdaptiveAvgPool2D
	flatten    *nn.Flatten
	Classifier *nn.Sequential
}

var _ = register(
	Spec{"alexnet", "AlexNet as torchvision (64-192-384-256-256, one tower)", "Krizhevsky et al., ImageNet Classification with Deep CNNs", 2012, 224, AlexNet},
	Spec{"alexnet2012", "original two-tower AlexNet (groups=2 in conv2/4/5, LRN)", "Krizhevsky et al., ImageNet Classification with Deep CNNs", 2012, 227, AlexNet2012},
)

func newFeatures(features *nn.Sequential, pool int, classifier *nn.Sequential) *Features {
	m := &Features{}
	m.Features = nn.Child(&m.Base, "features", features)
	m.avgpool = nn.Child(&m.Base, "avgpool", nn.NewAdaptiveAvgPool2D(pool))
	// The flatten (see nn.NewFlatten) is not a registered child, as in
	// torchvision, so that classifier indices match.
	m.flatten = nn.NewFlatten()
	m.Classifier = nn.Child(&m.Base, "classifier", classifier)
	return m
}

// Forward maps images (N, H, W, C) to logits (N, classes).
func (m *Features) Forward(x *autograd.Tensor) *autograd.Tensor {
	x = m.flatten.Forward(m.avgpool.Forward(m.Features.Forward(x)))
	return m.Out(m.Classifier.Forward(x))
}

// conv returns a convolution with a bias, the kind AlexNet and VGG use.
func conv(b *nn.Builder, cin, cout, k, stride, pad, groups int) *nn.Conv2D {
	return b.Conv2D(cin, cout, k, nn.ConvOptions{Stride: stride, Padding: pad, Groups: groups, Bias: true})
}

// AlexNet returns torchvision's single-tower AlexNet (the variant of
// Krizhevsky 2014, "One weird trick"), with PyTorch's default
// initialisation as torchvision leaves it.
func AlexNet(b *nn.Builder, o Options) nn.Module {
	relu, pool := nn.NewReLU, func() nn.Module { return nn.NewMaxPool2D(3, 2, 0, false) }
	features := nn.NewSequential(
		conv(b, o.inChannels(), 64, 11, 4, 2, 1), relu(), pool(),
		conv(b, 64, 192, 5, 1, 2, 1), relu(), pool(),
		conv(b, 192, 384, 3, 1, 1, 1), relu(),
		conv(b, 384, 256, 3, 1, 1, 1), relu(),
		conv(b, 256, 256, 3, 1, 1, 1), relu(), pool(),
	)
	classifier := nn.NewSequential(
		nn.NewDropout(0.5), b.Linear(256*6*6, 4096), relu(),
		nn.NewDropout(0.5), b.Linear(4096, 4096), relu(),
		b.Linear(4096, o.classes()),
	)
	return newFeatures(features, 6, classifier)
}

// AlexNet2012 returns the network of Krizhevsky et al. 2012 (Figure 2): two
// towers, expressed as groups=2 in the convolutions that see only their own
// tower (conv2, conv4, conv5), and LRN after the first two ReLUs. The towers
// can be placed on two devices by splitting each grouped layer.
func AlexNet2012(b *nn.Builder, o Options) nn.Module {
	// Section 5: weights from N(0, 0.01^2); biases 1 in conv2, conv4, conv5
	// and the hidden fully connected layers, 0 elsewhere.
	b = b.WithInits(nn.Inits{ConvWeight: nn.Normal(0.01), ConvBias: nn.Zeros, LinearWeight: nn.Normal(0.01), LinearBias: nn.Zeros})
	relu, pool := nn.NewReLU, func() nn.Module { return nn.NewMaxPool2D(3, 2, 0, false) }
	lrn := func() nn.Module {
		return nn.NewLocalResponseNorm(autograd.LRNOptions{Size: 5, Alpha: 1e-4, Beta: 0.75, K: 2})
	}
	conv2, conv4, conv5 := conv(b, 96, 256, 5, 1, 2, 2), conv(b, 384, 384, 3, 1, 1, 2), conv(b, 384, 256, 3, 1, 1, 2)
	features := nn.NewSequential(
		conv(b, o.inChannels(), 96, 11, 4, 0, 1), relu(), lrn(), pool(),
		conv2, relu(), lrn(), pool(),
		conv(b, 256, 384, 3, 1, 1, 1), relu(),
		conv4, relu(),
		conv5, relu(), pool(),
	)
	fc6, fc7 := b.Linear(256*6*6, 4096), b.Linear(4096, 4096)
	classifier := nn.NewSequential(
		nn.NewDropout(0.5), fc6, relu(),
		nn.NewDropout(0.5), fc7, relu(),
		b.Linear(4096, o.classes()),
	)
	for _, bias := range []*autograd.Tensor{conv2.Bias, conv4.Bias, conv5.Bias, fc6.Bias, fc7.Bias} {
		nn.Fill(bias, 1)
	}
	return newFeatures(features, 6, classifier)
}
