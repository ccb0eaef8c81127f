package models

import (
	"fmt"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/nn"
)

// DenseNet is the densely connected network of Huang et al. 2017 (DenseNet-
// BC: 1x1 bottlenecks of 4*growth channels, transitions halving channels),
// as torchvision builds it.
type DenseNet struct {
	nn.Base
	features   *nn.Sequential
	pool       *nn.GlobalAvgPool
	classifier *nn.Linear
}

var _ = register(
	Spec{"densenet121", "DenseNet-121, growth 32, blocks 6-12-24-16", "Huang et al., Densely Connected Convolutional Networks", 2017, 224, denseNet(32, 6, 12, 24, 16)},
	Spec{"densenet161", "DenseNet-161, growth 48, blocks 6-12-36-24", "Huang et al., Densely Connected Convolutional Networks", 2017, 224, denseNet(48, 6, 12, 36, 24)},
	Spec{"densenet169", "DenseNet-169, growth 32, blocks 6-12-32-32", "Huang et al., Densely Connected Convolutional Networks", 2017, 224, denseNet(32, 6, 12, 32, 32)},
	Spec{"densenet201", "DenseNet-201, growth 32, blocks 6-12-48-32", "Huang et al., Densely Connected Convolutional Networks", 2017, 224, denseNet(32, 6, 12, 48, 32)},
)

func denseNet(growth int, blocks ...int) func(*nn.Builder, Options) nn.Module {
	return func(b *nn.Builder, o Options) nn.Module { return NewDenseNet(b, o, growth, blocks) }
}

// NewDenseNet returns a DenseNet-BC with the given growth rate and number of
// layers per dense block (Huang et al. 2017, Table 1).
func NewDenseNet(b *nn.Builder, o Options, growth int, blocks []int) *DenseNet {
	// torchvision densenet.py: Kaiming normal (fan-in) convolutions, zero
	// linear bias.
	b = b.WithInits(nn.Inits{ConvWeight: nn.KaimingNormalFanIn, LinearBias: nn.Zeros})
	const bnSize = 4
	// DenseNet-BC's first convolution has 2k channels (section 3): 64 for
	// growth 32, 96 for DenseNet-161's 48, torchvision's num_init_features.
	c := 2 * growth
	f := &nn.Sequential{}
	child := f.AddNamed
	child("conv0", b.Conv2D(o.inChannels(), c, 7, nn.ConvOptions{Stride: 2, Padding: 3}))
	child("norm0", b.BatchNorm2D(c))
	child("relu0", nn.NewReLU())
	child("pool0", nn.NewMaxPool2D(3, 2, 1, false))
	for i, n := range blocks {
		block := &denseBlock{}
		for j := range n {
			layer := newDenseLayer(b, c+j*growth, growth, bnSize)
			block.layers = append(block.layers, nn.Child(&block.Base, fmt.Sprintf("denselayer%d", j+1), layer))
		}
		child(fmt.Sprintf("denseblock%d", i+1), block)
		c += n * growth
		if i < len(blocks)-1 {
			child(fmt.Sprintf("transition%d", i+1), newTransition(b, c, c/2))
			c /= 2
		}
	}
	child("norm5", b.BatchNorm2D(c))
	child("relu5", nn.NewReLU())
	m := &DenseNet{}
	m.features = nn.Child(&m.Base, "features", f)
	m.pool = nn.NewGlobalAvgPool()
	m.classifier = nn.Child(&m.Base, "classifier", b.Linear(c, o.classes()))
	return m
}

// Forward maps images (N, H, W, C) to logits (N, classes).
func (m *DenseNet) Forward(x *autograd.Tensor) *autograd.Tensor {
	return m.Out(m.classifier.Forward(m.pool.Forward(m.features.Forward(x))))
}

// denseBlock feeds each layer the concatenation of the block's input and
// every earlier layer's output (Huang et al. 2017, equation 2).
type denseBlock struct {
	nn.Base
	layers []nn.Module
}

func (d *denseBlock) Forward(x *autograd.Tensor) *autograd.Tensor {
	for _, l := range d.layers {
		x = autograd.Concat(x, l.Forward(x))
	}
	return d.Out(x)
}

// newDenseLayer is BN-ReLU-conv1x1 (to bnSize*growth) then BN-ReLU-conv3x3
// (to growth), named norm1, relu1, conv1, norm2, relu2, conv2.
func newDenseLayer(b *nn.Builder, in, growth, bnSize int) *nn.Sequential {
	s := &nn.Sequential{}
	child := s.AddNamed
	child("norm1", b.BatchNorm2D(in))
	child("relu1", nn.NewReLU())
	child("conv1", b.Conv2D(in, bnSize*growth, 1, nn.ConvOptions{}))
	child("norm2", b.BatchNorm2D(bnSize*growth))
	child("relu2", nn.NewReLU())
	child("conv2", b.Conv2D(bnSize*growth, growth, 3, nn.ConvOptions{Padding: 1}))
	return s
}

// newTransition is BN-ReLU-conv1x1-avgpool2x2 between dense blocks.
func newTransition(b *nn.Builder, in, out int) *nn.Sequential {
	s := &nn.Sequential{}
	child := s.AddNamed
	child("norm", b.BatchNorm2D(in))
	child("relu", nn.NewReLU())
	child("conv", b.Conv2D(in, out, 1, nn.ConvOptions{}))
	child("pool", nn.NewAvgPool2D(2, 2, 0))
	return s
}
