package models

import (
	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/nn"
)

var _ = register(
	Spec{"mobilenet_v3_large", "MobileNet v3 large: h-swish, squeeze-excitation", "Howard et al., Searching for MobileNetV3", 2019, 224, MobileNetV3Large},
	Spec{"mobilenet_v3_small", "MobileNet v3 small: h-swish, squeeze-excitation", "Howard et al., Searching for MobileNetV3", 2019, 224, MobileNetV3Small},
)

// bneck is one row of Howard et al. 2019, Tables 1 and 2.
type bneck struct {
	in, k, exp, out int
	se              bool
	act             autograd.Activation
	stride          int
}

const (
	re = autograd.ActReLU
	hs = autograd.ActHardSwish
)

// MobileNetV3Large returns MobileNetV3-Large (Howard et al. 2019, Table 1).
func MobileNetV3Large(b *nn.Builder, o Options) nn.Module {
	return mobileNetV3(b, o, []bneck{
		{16, 3, 16, 16, false, re, 1},
		{16, 3, 64, 24, false, re, 2},
		{24, 3, 72, 24, false, re, 1},
		{24, 5, 72, 40, true, re, 2},
		{40, 5, 120, 40, true, re, 1},
		{40, 5, 120, 40, true, re, 1},
		{40, 3, 240, 80, false, hs, 2},
		{80, 3, 200, 80, false, hs, 1},
		{80, 3, 184, 80, false, hs, 1},
		{80, 3, 184, 80, false, hs, 1},
		{80, 3, 480, 112, true, hs, 1},
		{112, 3, 672, 112, true, hs, 1},
		{112, 5, 672, 160, true, hs, 2},
		{160, 5, 960, 160, true, hs, 1},
		{160, 5, 960, 160, true, hs, 1},
	}, 1280)
}

// MobileNetV3Small returns MobileNetV3-Small (Howard et al. 2019, Table 2).
func MobileNetV3Small(b *nn.Builder, o Options) nn.Module {
	return mobileNetV3(b, o, []bneck{
		{16, 3, 16, 16, true, re, 2},
		{16, 3, 72, 24, false, re, 2},
		{24, 3, 88, 24, false, re, 1},
		{24, 5, 96, 40, true, hs, 2},
		{40, 5, 240, 40, true, hs, 1},
		{40, 5, 240, 40, true, hs, 1},
		{40, 5, 120, 48, true, hs, 1},
		{48, 5, 144, 48, true, hs, 1},
		{48, 5, 288, 96, true, hs, 2},
		{96, 5, 576, 96, true, hs, 1},
		{96, 5, 576, 96, true, hs, 1},
	}, 1024)
}

// v3 batch norms use eps 0.001 and momentum 0.01 (torchvision).
const v3Eps, v3Momentum = 0.001, 0.01

func mobileNetV3(b *nn.Builder, o Options, rows []bneck, lastChannel int) *MobileNet {
	b = b.WithInits(mobileNetInits)
	features := nn.NewSequential(convBN(b, o.inChannels(), 16, 3, 2, 1, hs, v3Eps, v3Momentum))
	for _, r := range rows {
		features.Append(newBneckBlock(b, r))
	}
	last := rows[len(rows)-1].out
	features.Append(convBN(b, last, 6*last, 1, 1, 1, hs, v3Eps, v3Momentum))
	return newMobileNet(features, nn.NewSequential(
		b.Linear(6*last, lastChannel), nn.NewActivation(hs), nn.NewDropout(0.2), b.Linear(lastChannel, o.classes()),
	))
}

// makeDivisible rounds v to a multiple of 8, never more than 10% down
// (the channel rounding of the TensorFlow MobileNet code).
func makeDivisible(v int) int {
	n := max(8, (v+4)/8*8)
	if float64(n) < 0.9*float64(v) {
		n += 8
	}
	return n
}

// bneckBlock is MobileNetV3's block: expansion 1x1 (absent when exp equals
// in), depthwise kxk, optional squeeze-excitation (squeezing to a quarter,
// hard-sigmoid gate), linear 1x1 projection, shortcut when the shape is kept.
type bneckBlock struct {
	nn.Base
	block    *nn.Sequential
	residual bool
}

func newBneckBlock(b *nn.Builder, r bneck) *bneckBlock {
	k := &bneckBlock{residual: r.stride == 1 && r.in == r.out}
	block := &nn.Sequential{}
	if r.exp != r.in {
		block.Append(convBN(b, r.in, r.exp, 1, 1, 1, r.act, v3Eps, v3Momentum))
	}
	block.Append(convBN(b, r.exp, r.exp, r.k, r.stride, r.exp, r.act, v3Eps, v3Momentum))
	if r.se {
		block.Append(b.SqueezeExcitation(r.exp, makeDivisible(r.exp/4), autograd.ActReLU, autograd.ActHardSigmoid))
	}
	block.Append(convBN(b, r.exp, r.out, 1, 1, 1, noAct, v3Eps, v3Momentum))
	k.block = nn.Child(&k.Base, "block", block)
	return k
}

func (k *bneckBlock) Forward(x *autograd.Tensor) *autograd.Tensor {
	y := k.block.Forward(x)
	if k.residual {
		y = autograd.Add(x, y)
	}
	return k.Out(y)
}
