package models

import (
	"fmt"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/nn"
)

// Xception is the network of Chollet 2017 (Figure 5): an entry flow, a
// middle flow of eight identical blocks and an exit flow, all built from
// depthwise separable convolutions, as Keras and timm's legacy_xception
// build it (input 299x299).
type Xception struct {
	nn.Base
	conv1, conv2 *nn.Conv2D
	bn1, bn2     *nn.BatchNorm2D
	blocks       []*xceptionBlock
	conv3, conv4 *nn.SeparableConv2D
	bn3, bn4     *nn.BatchNorm2D
	pool         *nn.GlobalAvgPool
	fc           *nn.Linear
}

var _ = register(Spec{"xception", "Xception: entry, middle (8x) and exit flows", "Chollet, Xception: Deep Learning with Depthwise Separable Convolutions", 2017, 299, NewXception})

// NewXception returns Xception (Chollet 2017, Figure 5).
func NewXception(b *nn.Builder, o Options) nn.Module {
	// timm xception.py: Kaiming normal (fan-out) convolutions.
	b = b.WithInits(nn.Inits{ConvWeight: nn.KaimingNormalFanOut})
	m := &Xception{}
	m.conv1 = nn.Child(&m.Base, "conv1", b.Conv2D(o.inChannels(), 32, 3, nn.ConvOptions{Stride: 2}))
	m.bn1 = nn.Child(&m.Base, "bn1", b.BatchNorm2D(32))
	m.conv2 = nn.Child(&m.Base, "conv2", b.Conv2D(32, 64, 3, nn.ConvOptions{}))
	m.bn2 = nn.Child(&m.Base, "bn2", b.BatchNorm2D(64))
	block := func(in, out, reps, stride int, startWithReLU, growFirst bool) {
		name := fmt.Sprintf("block%d", len(m.blocks)+1)
		m.blocks = append(m.blocks, nn.Child(&m.Base, name, newXceptionBlock(b, in, out, reps, stride, startWithReLU, growFirst)))
	}
	// Entry flow.
	block(64, 128, 2, 2, false, true)
	block(128, 256, 2, 2, true, true)
	block(256, 728, 2, 2, true, true)
	// Middle flow.
	for range 8 {
		block(728, 728, 3, 1, true, true)
	}
	// Exit flow.
	block(728, 1024, 2, 2, true, false)
	m.conv3 = nn.Child(&m.Base, "conv3", b.SeparableConv2D(1024, 1536, 3, nn.ConvOptions{Padding: 1}))
	m.bn3 = nn.Child(&m.Base, "bn3", b.BatchNorm2D(1536))
	m.conv4 = nn.Child(&m.Base, "conv4", b.SeparableConv2D(1536, 2048, 3, nn.ConvOptions{Padding: 1}))
	m.bn4 = nn.Child(&m.Base, "bn4", b.BatchNorm2D(2048))
	m.pool = nn.Child(&m.Base, "global_pool", nn.NewGlobalAvgPool())
	m.fc = nn.Child(&m.Base, "fc", b.Linear(2048, o.classes()))
	return m
}

// Forward maps images (N, H, W, C) to logits (N, classes).
func (m *Xception) Forward(x *autograd.Tensor) *autograd.Tensor {
	x = m.bn1.ForwardReLU(m.conv1.Forward(x), nil)
	x = m.bn2.ForwardReLU(m.conv2.Forward(x), nil)
	for _, blk := range m.blocks {
		x = blk.Forward(x)
	}
	x = m.bn3.ForwardReLU(m.conv3.Forward(x), nil)
	x = m.bn4.ForwardReLU(m.conv4.Forward(x), nil)
	return m.Out(m.fc.Forward(m.pool.Forward(x)))
}

// xceptionBlock is reps times (ReLU, separable 3x3, BN), then a 3x3
// stride-2 max pool when it downsamples, added to a shortcut that is a
// strided 1x1 convolution with BN when the shape changes. growFirst widens
// in the first separable convolution, otherwise in the last.
type xceptionBlock struct {
	nn.Base
	rep    *nn.Sequential
	skip   *nn.Conv2D // nil for an identity shortcut
	skipbn *nn.BatchNorm2D
}

func newXceptionBlock(b *nn.Builder, in, out, reps, stride int, startWithReLU, growFirst bool) *xceptionBlock {
	k := &xceptionBlock{}
	if out != in || stride != 1 {
		k.skip = b.Conv2D(in, out, 1, nn.ConvOptions{Stride: stride})
		k.skipbn = b.BatchNorm2D(out)
	}
	rep := &nn.Sequential{}
	for i := range reps {
		cin, cout := out, out
		if growFirst {
			if i == 0 {
				cin = in
			}
		} else {
			cin = in
			if i < reps-1 {
				cout = in
			}
		}
		if i > 0 || startWithReLU {
			rep.Append(nn.NewReLU())
		}
		rep.Append(b.SeparableConv2D(cin, cout, 3, nn.ConvOptions{Padding: 1}))
		rep.Append(b.BatchNorm2D(cout))
	}
	if stride != 1 {
		rep.Append(nn.NewMaxPool2D(3, stride, 1, false))
	}
	// timm registers skip and skipbn before rep.
	if k.skip != nil {
		nn.Child(&k.Base, "skip", k.skip)
		nn.Child(&k.Base, "skipbn", k.skipbn)
	}
	k.rep = nn.Child(&k.Base, "rep", rep)
	return k
}

func (k *xceptionBlock) Forward(x *autograd.Tensor) *autograd.Tensor {
	y := k.rep.Forward(x)
	if k.skip != nil {
		x = k.skipbn.Forward(k.skip.Forward(x))
	}
	return k.Out(autograd.Add(y, x))
}
