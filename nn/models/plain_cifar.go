package models

import (
	"fmt"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/nn"
)

// PlainCIFAR is the plain counterpart of the 6n+2-layer CIFAR ResNet (He et
// al. 2016, "Deep residual learning", section 4.2, the plain networks
// of Figure 6): the same convolutions without shortcuts, each followed by
// batch norm and ReLU, in three stages of 2n layers with 16, 32 and 64
// channels. It is Lesionable: its blocks are the 6n stage layers, and the
// 6n-2 of them that keep their input's shape can be deleted, which is the
// plain-network control of Veit et al. 2016 (Figure 3a).
type PlainCIFAR struct {
	nn.Base
	stages
	conv1  *nn.Conv2D
	bn1    *nn.BatchNorm2D
	Layers []*nn.Sequential
	pool   *nn.GlobalAvgPool
	linear *nn.Linear
}

// Only the 20-layer network is registered: deeper plain networks are what
// He et al. show to degrade (their training error rises with depth), and at
// 56 layers and more a few small SGD steps from the initial weights do not
// even lower the loss (TestTrainingLowersLoss). NewPlainCIFAR builds any n.
var _ = register(
	Spec{"plain20", "plain (no shortcut) counterpart of CIFAR ResNet-20", "He et al., Deep Residual Learning", 2016, 32, plainCIFAR(3)},
)

var _ = registerDefaults(Options{Classes: 10}, "plain20")

func plainCIFAR(n int) func(*nn.Builder, Options) nn.Module {
	return func(b *nn.Builder, o Options) nn.Module { return NewPlainCIFAR(b, o, n) }
}

// NewPlainCIFAR returns the 6n+2-layer plain CIFAR network.
func NewPlainCIFAR(b *nn.Builder, o Options, n int) *PlainCIFAR {
	// As NewCIFARResNet: Kaiming normal convolutions, which is what lets a
	// deep plain network with batch norm train at all (He et al. 2015).
	b = b.WithInits(nn.Inits{ConvWeight: nn.KaimingNormalFanOut})
	m := &PlainCIFAR{}
	m.conv1 = nn.Child(&m.Base, "conv1", b.Conv2D(o.inChannels(), 16, 3, nn.ConvOptions{Padding: 1}))
	m.bn1 = nn.Child(&m.Base, "bn1", b.BatchNorm2D(16))
	in := 16
	for i, width := range []int{16, 32, 64} {
		layer := &nn.Sequential{}
		for j := range 2 * n {
			stride := 1
			if i > 0 && j == 0 {
				stride = 2
			}
			layer.Append(newPlainLayer(b, in, width, stride))
			down := stride != 1 || in != width
			m.add(layer, Block{Name: fmt.Sprintf("layer%d.%d", i+1, j), Downsample: down, Deletable: !down, Group: stageGroup(i, down)})
			in = width
		}
		m.Layers = append(m.Layers, nn.Child(&m.Base, fmt.Sprintf("layer%d", i+1), layer))
		m.seqs = append(m.seqs, layer)
	}
	m.pool = nn.Child(&m.Base, "avgpool", nn.NewGlobalAvgPool())
	m.linear = nn.Child(&m.Base, "linear", b.Linear(in, o.classes()))
	return m
}

// Forward maps images (N, H, W, C) to logits (N, classes).
func (m *PlainCIFAR) Forward(x *autograd.Tensor) *autograd.Tensor {
	x = m.bn1.ForwardReLU(m.conv1.Forward(x), nil)
	for _, l := range m.Layers {
		x = l.Forward(x)
	}
	return m.Out(m.linear.Forward(m.pool.Forward(x)))
}

// plainLayer is conv-BN-ReLU; deleted, it passes its input through.
type plainLayer struct {
	nn.Base
	conv    *nn.Conv2D
	bn      *nn.BatchNorm2D
	deleted bool
}

func newPlainLayer(b *nn.Builder, in, out, stride int) *plainLayer {
	l := &plainLayer{}
	l.conv = nn.Child(&l.Base, "conv", b.Conv2D(in, out, 3, nn.ConvOptions{Stride: stride, Padding: 1}))
	l.bn = nn.Child(&l.Base, "bn", b.BatchNorm2D(out))
	return l
}

func (l *plainLayer) setMode(m BlockMode) {
	if m != BlockNormal && m != BlockDeleted {
		panic(fmt.Sprintf("models: a plain layer has no skip to run in mode %v", m))
	}
	l.deleted = m == BlockDeleted
}

func (l *plainLayer) Forward(x *autograd.Tensor) *autograd.Tensor {
	if l.deleted {
		return l.Out(x)
	}
	return l.Out(l.bn.ForwardReLU(l.conv.Forward(x), nil))
}
