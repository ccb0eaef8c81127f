package models

import (
	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/nn"
)

var _ = register(Spec{"inception_v3", "Inception v3, factorised 7x7 (1x7, 7x1), as torchvision", "Szegedy et al., Rethinking the Inception Architecture", 2016, 299, NewInceptionV3})

// InceptionV3 is Inception v3 (Szegedy et al. 2016, "Rethinking the
// Inception Architecture for Computer Vision") as torchvision's Inception3
// builds it: BasicConv2d (bias-free convolution, batch norm with eps 0.001,
// ReLU) throughout, 299x299 inputs, and with Options.AuxLogits the auxiliary
// classifier on Mixed_6e (torchvision's default, with which its model
// metadata counts 27,161,264 parameters). torchvision's transform_input
// (off unless loading its pretrained weights) is not modelled.
type InceptionV3 struct{ auxNet }

// NewInceptionV3 returns Inception v3 (Szegedy et al. 2016, Table 1: the
// stem, 3 x Figure 5 at 35x35, 5 x Figure 6 at 17x17, 2 x Figure 7 at 8x8,
// with the grid reductions of Figure 10 between), with the auxiliary
// classifier when o.AuxLogits is set. torchvision requires inputs of at
// least 75x75; the auxiliary classifier, which runs in training mode only,
// needs 299x299 (Mixed_6e's maps 17x17).
func NewInceptionV3(b *nn.Builder, o Options) nn.Module {
	// torchvision inception.py: trunc_normal_(std=0.1, a=-2, b=2), which
	// at that std is N(0, 0.1^2), for convolutions and linears; the
	// auxiliary fc draws with std 0.001 (newInceptionV3Aux).
	b = b.WithInits(nn.Inits{ConvWeight: nn.Normal(0.1), LinearWeight: nn.Normal(0.1)})
	m := &InceptionV3{}
	// The stem: name, in and out channels, kernel, stride, padding.
	conv := func(name string, cin, cout, k, stride, pad int) {
		m.add(name, newBasicConv2D(b, cin, cout, k, stride, pad))
	}
	conv("Conv2d_1a_3x3", o.inChannels(), 32, 3, 2, 0)
	conv("Conv2d_2a_3x3", 32, 32, 3, 1, 0)
	conv("Conv2d_2b_3x3", 32, 64, 3, 1, 1)
	m.add("maxpool1", nn.NewMaxPool2D(3, 2, 0, false))
	conv("Conv2d_3b_1x1", 64, 80, 1, 1, 0)
	conv("Conv2d_4a_3x3", 80, 192, 3, 1, 0)
	m.add("maxpool2", nn.NewMaxPool2D(3, 2, 0, false))
	// The 35x35, 17x17 and 8x8 modules, with the grid reductions (6a, 7a)
	// between: input channels, then pool features or 7x7 channels.
	m.add("Mixed_5b", inceptionA(b, 192, 32))
	m.add("Mixed_5c", inceptionA(b, 256, 64))
	m.add("Mixed_5d", inceptionA(b, 288, 64))
	m.add("Mixed_6a", inceptionB(b, 288))
	m.add("Mixed_6b", inceptionC(b, 768, 128))
	m.add("Mixed_6c", inceptionC(b, 768, 160))
	m.add("Mixed_6d", inceptionC(b, 768, 160))
	mixed6e := m.add("Mixed_6e", inceptionC(b, 768, 192))
	if o.AuxLogits {
		m.addAux("AuxLogits", mixed6e, newInceptionV3Aux(b, 768, o.classes()))
	}
	m.add("Mixed_7a", inceptionD(b, 768))
	m.add("Mixed_7b", inceptionE(b, 1280))
	m.add("Mixed_7c", inceptionE(b, 2048))
	m.addHead(b, 0.5, 2048, o.classes())
	return m
}

// inceptionA is the 35x35 module (Figure 5: the 5x5 replaced by two 3x3s;
// torchvision keeps a 5x5 branch too); out: 224 + poolFeatures channels.
func inceptionA(b *nn.Builder, in, poolFeatures int) *mixed {
	m := &mixed{}
	m.branch(m.conv(b, "branch1x1", in, 64, 1, 1))
	m.branch(m.conv(b, "branch5x5_1", in, 48, 1, 1), m.conv(b, "branch5x5_2", 48, 64, 5, 5))
	m.branch(m.conv(b, "branch3x3dbl_1", in, 64, 1, 1), m.conv(b, "branch3x3dbl_2", 64, 96, 3, 3),
		m.conv(b, "branch3x3dbl_3", 96, 96, 3, 3))
	m.branch(avgPool3x3(), m.conv(b, "branch_pool", in, poolFeatures, 1, 1))
	return m
}

// inceptionB reduces 35x35 to 17x17 (Figure 10); out: in + 480 channels.
func inceptionB(b *nn.Builder, in int) *mixed {
	m := &mixed{}
	m.branch(m.reduce(b, "branch3x3", in, 384))
	m.branch(m.conv(b, "branch3x3dbl_1", in, 64, 1, 1), m.conv(b, "branch3x3dbl_2", 64, 96, 3, 3),
		m.reduce(b, "branch3x3dbl_3", 96, 96))
	m.branch(maxPool3x3s2())
	return m
}

// inceptionC is the 17x17 module (Figure 6, n = 7): 7x7 convolutions
// factorised into 1x7 and 7x1 ones of c7 channels; out: 768 channels.
func inceptionC(b *nn.Builder, in, c7 int) *mixed {
	m := &mixed{}
	m.branch(m.conv(b, "branch1x1", in, 192, 1, 1))
	m.branch(m.conv(b, "branch7x7_1", in, c7, 1, 1), m.conv(b, "branch7x7_2", c7, c7, 1, 7),
		m.conv(b, "branch7x7_3", c7, 192, 7, 1))
	m.branch(m.conv(b, "branch7x7dbl_1", in, c7, 1, 1), m.conv(b, "branch7x7dbl_2", c7, c7, 7, 1),
		m.conv(b, "branch7x7dbl_3", c7, c7, 1, 7), m.conv(b, "branch7x7dbl_4", c7, c7, 7, 1),
		m.conv(b, "branch7x7dbl_5", c7, 192, 1, 7))
	m.branch(avgPool3x3(), m.conv(b, "branch_pool", in, 192, 1, 1))
	return m
}

// inceptionD reduces 17x17 to 8x8 (Figure 10 with a factorised 7x7
// branch); out: in + 512 channels.
func inceptionD(b *nn.Builder, in int) *mixed {
	m := &mixed{}
	m.branch(m.conv(b, "branch3x3_1", in, 192, 1, 1), m.reduce(b, "branch3x3_2", 192, 320))
	m.branch(m.conv(b, "branch7x7x3_1", in, 192, 1, 1), m.conv(b, "branch7x7x3_2", 192, 192, 1, 7),
		m.conv(b, "branch7x7x3_3", 192, 192, 7, 1), m.reduce(b, "branch7x7x3_4", 192, 192))
	m.branch(maxPool3x3s2())
	return m
}

// inceptionE is the 8x8 module with expanded filter banks (Figure 7): the
// 3x3 outputs split into a 1x3 and a 3x1 convolution side by side; out:
// 2048 channels.
func inceptionE(b *nn.Builder, in int) *mixed {
	m := &mixed{}
	m.branch(m.conv(b, "branch1x1", in, 320, 1, 1))
	m.branch(m.conv(b, "branch3x3_1", in, 384, 1, 1)).
		split(m.conv(b, "branch3x3_2a", 384, 384, 1, 3), m.conv(b, "branch3x3_2b", 384, 384, 3, 1))
	m.branch(m.conv(b, "branch3x3dbl_1", in, 448, 1, 1), m.conv(b, "branch3x3dbl_2", 448, 384, 3, 3)).
		split(m.conv(b, "branch3x3dbl_3a", 384, 384, 1, 3), m.conv(b, "branch3x3dbl_3b", 384, 384, 3, 1))
	m.branch(avgPool3x3(), m.conv(b, "branch_pool", in, 192, 1, 1))
	return m
}

// avgPool3x3 is the pooling branch's 3x3 average at stride 1, padded,
// counting the padding (F.avg_pool2d's default).
func avgPool3x3() nn.Module { return nn.NewAvgPool2D(3, 1, 1) }

// maxPool3x3s2 is a grid reduction's pooling branch.
func maxPool3x3s2() nn.Module { return nn.NewMaxPool2D(3, 2, 0, false) }

// mixed is one of Inception v3's modules (torchvision's InceptionA to E,
// Mixed_5b to Mixed_7c): branches run side by side on the input and
// concatenated along channels. Its convolutions are registered on it
// directly, under torchvision's flat names (branch7x7_1, branch7x7_2, ...);
// the poolings are functional, as in torchvision, and hold nothing.
type mixed struct {
	nn.Base
	branches []*inceptionBranch
}

// inceptionBranch is a chain of layers, optionally ending in a split into
// layers that each read the chain's output and whose outputs are all
// concatenated (Figure 7's expanded filter bank).
type inceptionBranch struct {
	chain, parallel []nn.Module
}

// conv registers a kh x kw BasicConv2d at stride 1, padded to keep the map
// size, as name.
func (m *mixed) conv(b *nn.Builder, name string, cin, cout, kh, kw int) nn.Module {
	return nn.Child(&m.Base, name, newSameConv2D(b, cin, cout, kh, kw))
}

// reduce registers a grid reduction's 3x3 BasicConv2d at stride 2, without
// padding, as name.
func (m *mixed) reduce(b *nn.Builder, name string, cin, cout int) nn.Module {
	return nn.Child(&m.Base, name, newBasicConv2D(b, cin, cout, 3, 2, 0))
}

// branch adds a branch applying layers in order.
func (m *mixed) branch(layers ...nn.Module) *inceptionBranch {
	br := &inceptionBranch{chain: layers}
	m.branches = append(m.branches, br)
	return br
}

// split ends br in layers that each read the chain's output.
func (br *inceptionBranch) split(layers ...nn.Module) { br.parallel = layers }

func (m *mixed) Forward(x *autograd.Tensor) *autograd.Tensor {
	var outs []*autograd.Tensor
	for _, br := range m.branches {
		y := x
		for _, l := range br.chain {
			y = l.Forward(y)
		}
		if br.parallel == nil {
			outs = append(outs, y)
		}
		for _, l := range br.parallel {
			outs = append(outs, l.Forward(y))
		}
	}
	return m.Out(autograd.Concat(outs...))
}

// inceptionV3Aux is the auxiliary classifier on the 17x17 grid (section 4):
// 5x5 average pooling at stride 3 (5x5 out of 17x17), a 1x1 BasicConv2d to
// 128 channels, a 5x5 one to 768 (1x1 out), global average pooling and a
// linear classifier.
type inceptionV3Aux struct {
	nn.Base
	pool         *nn.AvgPool2D
	conv0, conv1 *basicConv2D
	gap          *nn.GlobalAvgPool
	fc           *nn.Linear
}

func newInceptionV3Aux(b *nn.Builder, in, classes int) *inceptionV3Aux {
	a := &inceptionV3Aux{pool: nn.NewAvgPool2D(5, 3, 0), gap: nn.NewGlobalAvgPool()}
	a.conv0 = nn.Child(&a.Base, "conv0", newBasicConv2D(b, in, 128, 1, 1, 0))
	// torchvision sets stddev 0.01 on conv1, but on the BasicConv2d, where
	// its initialisation loop never reads it: the convolution keeps 0.1.
	a.conv1 = nn.Child(&a.Base, "conv1", newBasicConv2D(b, 128, 768, 5, 1, 0))
	a.fc = nn.Child(&a.Base, "fc", b.WithInits(nn.Inits{LinearWeight: nn.Normal(0.001)}).Linear(768, classes))
	return a
}

func (a *inceptionV3Aux) Forward(x *autograd.Tensor) *autograd.Tensor {
	x = a.conv1.Forward(a.conv0.Forward(a.pool.Forward(x)))
	return a.Out(a.fc.Forward(a.gap.Forward(x)))
}
