package models

import (
	"fmt"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/nn"
)

// GoogLeNet is Inception v1 (Szegedy et al. 2015) as torchvision builds it:
// batch norm after every convolution, optional auxiliary classifiers.
type GoogLeNet struct{ auxNet }

var _ = register(Spec{"googlenet", "GoogLeNet (Inception v1) with batch norm, as torchvision", "Szegedy et al., Going Deeper with Convolutions", 2015, 224, NewGoogLeNet})

// NewGoogLeNet returns GoogLeNet (Szegedy et al. 2015, Table 1), with the
// two auxiliary classifiers when o.AuxLogits is set.
func NewGoogLeNet(b *nn.Builder, o Options) nn.Module {
	// torchvision googlenet.py: trunc_normal_(std=0.01, a=-2, b=2) for
	// convolutions and linears, which at that std is N(0, 0.01^2).
	b = b.WithInits(nn.Inits{ConvWeight: nn.Normal(0.01), LinearWeight: nn.Normal(0.01)})
	m := &GoogLeNet{}
	add := m.add
	add("conv1", newBasicConv2D(b, o.inChannels(), 64, 7, 2, 3))
	add("maxpool1", nn.NewMaxPool2D(3, 2, 0, true))
	add("conv2", newBasicConv2D(b, 64, 64, 1, 1, 0))
	add("conv3", newBasicConv2D(b, 64, 192, 3, 1, 1))
	add("maxpool2", nn.NewMaxPool2D(3, 2, 0, true))
	// Table 1: #1x1, #3x3 reduce, #3x3, #5x5 reduce, #5x5, pool proj.
	add("inception3a", newInception(b, 192, 64, 96, 128, 16, 32, 32))
	add("inception3b", newInception(b, 256, 128, 128, 192, 32, 96, 64))
	add("maxpool3", nn.NewMaxPool2D(3, 2, 0, true))
	in4a := add("inception4a", newInception(b, 480, 192, 96, 208, 16, 48, 64))
	add("inception4b", newInception(b, 512, 160, 112, 224, 24, 64, 64))
	add("inception4c", newInception(b, 512, 128, 128, 256, 24, 64, 64))
	in4d := add("inception4d", newInception(b, 512, 112, 144, 288, 32, 64, 64))
	add("inception4e", newInception(b, 528, 256, 160, 320, 32, 128, 128))
	add("maxpool4", nn.NewMaxPool2D(2, 2, 0, true))
	add("inception5a", newInception(b, 832, 256, 160, 320, 32, 128, 128))
	add("inception5b", newInception(b, 832, 384, 192, 384, 48, 128, 128))
	if o.AuxLogits {
		m.addAux("aux1", in4a, newInceptionAux(b, 512, o.classes()))
		m.addAux("aux2", in4d, newInceptionAux(b, 528, o.classes()))
	}
	m.addHead(b, 0.2, 1024, o.classes())
	return m
}

// AuxClassifier is a model with auxiliary classifiers (GoogLeNet and
// Inception v3 built with Options.AuxLogits). Forward returns the main
// logits only.
type AuxClassifier interface {
	nn.Module
	// ForwardAux returns the logits and, in training mode, the logits of
	// each auxiliary classifier, in the order the trunk reaches them
	// (none in evaluation mode or without auxiliary classifiers).
	ForwardAux(x *autograd.Tensor) (logits *autograd.Tensor, aux []*autograd.Tensor)
}

var (
	_ AuxClassifier = (*GoogLeNet)(nil)
	_ AuxClassifier = (*InceptionV3)(nil)
)

// auxLossWeights holds, by model name, the weight of each auxiliary
// classifier's loss in training: GoogLeNet's paper's 0.3 (Szegedy et al.
// 2015, section 5), and 0.4 for Inception v3, as TF-slim's
// train_image_classifier.py trained it (the paper gives none).
var auxLossWeights = map[string]float32{"googlenet": 0.3, "inception_v3": 0.4}

// AuxLossWeight returns the weight of each auxiliary classifier's loss in
// training, added to the main loss; 0 for a model that has none.
func (s Spec) AuxLossWeight() float32 { return auxLossWeights[s.Name] }

// auxNet is what GoogLeNet and Inception v3 share: a trunk of named
// layers, auxiliary classifiers fed by some of them in training mode, and a
// head of global average pooling, dropout and a linear classifier.
type auxNet struct {
	nn.Base
	trunk    []nn.Module             // in order
	auxAfter map[nn.Module]nn.Module // trunk layer -> the head it feeds
	avgpool  *nn.GlobalAvgPool
	dropout  *nn.Dropout
	fc       *nn.Linear
}

// add registers l as name, appends it to the trunk and returns it.
func (m *auxNet) add(name string, l nn.Module) nn.Module {
	m.trunk = append(m.trunk, nn.Child(&m.Base, name, l))
	return l
}

// addAux registers head as name, fed by the output of the trunk layer
// after.
func (m *auxNet) addAux(name string, after, head nn.Module) {
	if m.auxAfter == nil {
		m.auxAfter = map[nn.Module]nn.Module{}
	}
	m.auxAfter[after] = nn.Child(&m.Base, name, head)
}

// addHead registers avgpool, dropout (drop probability p) and fc (in
// features to classes).
func (m *auxNet) addHead(b *nn.Builder, p float32, in, classes int) {
	m.avgpool = nn.Child(&m.Base, "avgpool", nn.NewGlobalAvgPool())
	m.dropout = nn.Child(&m.Base, "dropout", nn.NewDropout(p))
	m.fc = nn.Child(&m.Base, "fc", b.Linear(in, classes))
}

// Forward maps images (N, H, W, C) to logits (N, classes), without the
// auxiliary classifiers.
func (m *auxNet) Forward(x *autograd.Tensor) *autograd.Tensor {
	logits, _ := m.ForwardAux(x)
	return logits
}

// ForwardAux returns the logits and, in training mode with auxiliary heads,
// theirs (Szegedy et al. 2015 weight GoogLeNet's two by 0.3 in the loss).
func (m *auxNet) ForwardAux(x *autograd.Tensor) (logits *autograd.Tensor, aux []*autograd.Tensor) {
	for _, l := range m.trunk {
		x = l.Forward(x)
		if head := m.auxAfter[l]; head != nil && m.Training() {
			aux = append(aux, head.Forward(x))
		}
	}
	return m.Out(m.fc.Forward(m.dropout.Forward(m.avgpool.Forward(x)))), aux
}

// basicConv2D is torchvision's BasicConv2d (GoogLeNet, Inception v3): a
// bias-free convolution, batch norm with eps 0.001, and ReLU; named conv
// and bn.
type basicConv2D struct {
	nn.Base
	conv *nn.Conv2D
	bn   *nn.BatchNorm2D
}

// newBasicConv2D returns a k x k BasicConv2d.
func newBasicConv2D(b *nn.Builder, cin, cout, k, stride, pad int) *basicConv2D {
	return withBN(b, b.Conv2D(cin, cout, k, nn.ConvOptions{Stride: stride, Padding: pad}), cout)
}

// newSameConv2D returns a kh x kw BasicConv2d at stride 1, padded to keep
// the map size: Inception v3's 1xn and nx1 convolutions among others.
func newSameConv2D(b *nn.Builder, cin, cout, kh, kw int) *basicConv2D {
	pad := [2]int{(kh - 1) / 2, (kw - 1) / 2}
	return withBN(b, b.Conv2DRect(cin, cout, [2]int{kh, kw}, autograd.Conv2DOptions{Padding: pad}, false), cout)
}

// withBN completes a BasicConv2d around conv, which must have no bias.
func withBN(b *nn.Builder, conv *nn.Conv2D, cout int) *basicConv2D {
	c := &basicConv2D{}
	c.conv = nn.Child(&c.Base, "conv", conv)
	c.bn = nn.Child(&c.Base, "bn", b.BatchNorm2D(cout))
	c.bn.Eps = 0.001
	return c
}

func (c *basicConv2D) Forward(x *autograd.Tensor) *autograd.Tensor {
	return c.Out(c.bn.ForwardReLU(c.conv.Forward(x), nil))
}

// inception is the module of Szegedy et al. 2015, Figure 2b: four branches
// concatenated along channels. Like torchvision, the "5x5" branch uses a
// 3x3 convolution (a known quirk kept for weight compatibility).
type inception struct {
	nn.Base
	branches []nn.Module
}

func newInception(b *nn.Builder, in, c1, c3r, c3, c5r, c5, pool int) *inception {
	m := &inception{}
	for i, br := range []nn.Module{
		newBasicConv2D(b, in, c1, 1, 1, 0),
		nn.NewSequential(newBasicConv2D(b, in, c3r, 1, 1, 0), newBasicConv2D(b, c3r, c3, 3, 1, 1)),
		nn.NewSequential(newBasicConv2D(b, in, c5r, 1, 1, 0), newBasicConv2D(b, c5r, c5, 3, 1, 1)),
		nn.NewSequential(nn.NewMaxPool2D(3, 1, 1, true), newBasicConv2D(b, in, pool, 1, 1, 0)),
	} {
		m.branches = append(m.branches, nn.Child(&m.Base, fmt.Sprintf("branch%d", i+1), br))
	}
	return m
}

func (m *inception) Forward(x *autograd.Tensor) *autograd.Tensor {
	outs := make([]*autograd.Tensor, len(m.branches))
	for i, br := range m.branches {
		outs[i] = br.Forward(x)
	}
	return m.Out(autograd.Concat(outs...))
}

// inceptionAux is an auxiliary classifier (Szegedy et al. 2015, section 5):
// average pooling to 4x4 (the paper's 5x5 with stride 3 on the 14x14 map
// of a 224 input; adaptive, as torchvision, so that other input sizes
// train too), a 1x1 convolution to 128 channels, a 1024-unit layer with
// 70% dropout, and a linear classifier.
type inceptionAux struct {
	nn.Base
	pool     *nn.AdaptiveAvgPool2D
	conv     *basicConv2D
	flatten  *nn.Flatten
	fc1, fc2 *nn.Linear
	dropout  *nn.Dropout
}

func newInceptionAux(b *nn.Builder, in, classes int) *inceptionAux {
	a := &inceptionAux{pool: nn.NewAdaptiveAvgPool2D(4), flatten: nn.NewFlatten(), dropout: nn.NewDropout(0.7)}
	a.conv = nn.Child(&a.Base, "conv", newBasicConv2D(b, in, 128, 1, 1, 0))
	a.fc1 = nn.Child(&a.Base, "fc1", b.Linear(128*4*4, 1024))
	a.fc2 = nn.Child(&a.Base, "fc2", b.Linear(1024, classes))
	return a
}

func (a *inceptionAux) Forward(x *autograd.Tensor) *autograd.Tensor {
	x = a.flatten.Forward(a.conv.Forward(a.pool.Forward(x)))
	x = a.dropout.Forward(autograd.ReLU(a.fc1.Forward(x)))
	return a.Out(a.fc2.Forward(x))
}
