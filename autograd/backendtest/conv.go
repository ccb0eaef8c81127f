package backendtest

import (
	"testing"

	"github.com/gocnn/gocnn/autograd"
)

var _ = register("Conv2D", testConv2D)

// convCase is one convolution geometry: input (n, h, w, c), k filters of
// r x s taps, and PyTorch-style options (zero = default).
type convCase struct {
	name       string
	n, h, w, c int
	k, r, s    int
	o          autograd.Conv2DOptions
}

// convCases cover every geometry the model zoo uses, at sizes where
// central differences stay fast.
var convCases = []convCase{
	{"7x7s2p3 stem", 1, 11, 9, 3, 4, 7, 7, opts(2, 3, 1, 1)},
	{"3x3s1p1", 2, 5, 6, 3, 4, 3, 3, opts(1, 1, 1, 1)},
	{"3x3s1 no padding", 1, 6, 5, 3, 2, 3, 3, opts(1, 0, 1, 1)},
	// Rows wide enough for whole chunks of output pixels away from the
	// padding, which kernels may treat apart from the edges.
	{"3x3s1p1 wide", 1, 3, 14, 2, 3, 3, 3, opts(1, 1, 1, 1)},
	{"3x3s2p1 wide", 1, 5, 27, 2, 2, 3, 3, opts(2, 1, 1, 1)},
	{"3x3 no padding wide, 17 filters", 1, 4, 8, 2, 17, 3, 3, opts(1, 0, 1, 1)},
	{"1x1 padding 1, border all padding", 1, 2, 14, 2, 3, 1, 1, opts(1, 1, 1, 1)},
	{"3x3s2p1 odd", 2, 7, 5, 4, 3, 3, 3, opts(2, 1, 1, 1)},
	{"1x1s1", 2, 4, 3, 5, 6, 1, 1, opts(1, 0, 1, 1)},
	{"1x1s2 projection", 2, 5, 5, 4, 6, 1, 1, opts(2, 0, 1, 1)},
	{"11x11s4p2 alexnet", 1, 15, 15, 3, 2, 11, 11, opts(4, 2, 1, 1)},
	{"5x5p2 groups=2", 1, 6, 5, 4, 6, 5, 5, opts(1, 2, 1, 2)},
	{"depthwise 3x3s1p1", 2, 5, 5, 6, 6, 3, 3, opts(1, 1, 1, 6)},
	{"depthwise 3x3s2p1", 1, 7, 6, 5, 5, 3, 3, opts(2, 1, 1, 5)},
	{"depthwise 5x5s2p2", 1, 9, 8, 4, 4, 5, 5, opts(2, 2, 1, 4)},
	{"depthwise multiplier 2", 1, 5, 4, 3, 6, 3, 3, opts(1, 1, 1, 3)},
	{"1x1 groups=2 pointwise", 2, 3, 3, 4, 6, 1, 1, opts(1, 0, 1, 2)},
	{"resnext groups=4 8ch/group", 1, 4, 4, 32, 8, 3, 3, opts(1, 1, 1, 4)},
	// Banks of 64 or more filters per group, which kernels may lay out
	// apart from narrow ones (the CPU backend's filter gradient does).
	{"3x3s1p1 70 filters", 2, 4, 5, 3, 70, 3, 3, opts(1, 1, 1, 1)},
	{"3x3s1p1 groups=2, 65 filters each", 1, 3, 4, 4, 130, 3, 3, opts(1, 1, 1, 2)},
	{"3x3 dilation 2", 1, 7, 8, 3, 4, 3, 3, opts(1, 2, 2, 1)},
	{"single input channel", 2, 5, 5, 1, 4, 3, 3, opts(1, 1, 1, 1)},
	{"non-square", 1, 4, 9, 2, 3, 3, 2, autograd.Conv2DOptions{Stride: [2]int{1, 2}, Padding: [2]int{1, 0}, Dilation: [2]int{1, 2}}},
}

// opts returns square options; 1 for stride, dilation or groups is also
// what the zero value means, so both spellings get exercised.
func opts(stride, pad, dil, groups int) autograd.Conv2DOptions {
	o := autograd.Conv2DOptions{Stride: [2]int{stride, stride}, Padding: [2]int{pad, pad}, Dilation: [2]int{dil, dil}, Groups: groups}
	if groups == 1 {
		o.Groups = 0
	}
	return o
}

func (c convCase) params() autograd.ConvParams {
	g := max(c.o.Groups, 1)
	return autograd.ConvParams{
		N: c.n, H: c.h, W: c.w, C: c.c, K: c.k, R: c.r, S: c.s,
		StrideH: c.o.Stride[0], StrideW: c.o.Stride[1], PadH: c.o.Padding[0], PadW: c.o.Padding[1],
		DilH: c.o.Dilation[0], DilW: c.o.Dilation[1], Groups: g,
	}
}

func testConv2D(t *testing.T, dev *autograd.Device) {
	rng := newRand(t)
	for _, cc := range convCases {
		p := cc.params()
		cg := cc.c / p.Groups
		xShape, wShape := []int{cc.n, cc.h, cc.w, cc.c}, []int{cc.k, cc.r, cc.s, cg}
		check(t, dev, opCase{
			name: "Conv2D " + cc.name,
			inputs: []input{
				{shape: xShape, data: randn(rng, prod(xShape)), grad: true},
				{shape: wShape, data: randn(rng, prod(wShape)), grad: true},
			},
			forward: func(in []*autograd.Tensor) *autograd.Tensor { return autograd.Conv2D(in[0], in[1], cc.o) },
			ref:     func(in [][]float64) []float64 { return convRef(p, in[0], in[1]) },
			atol:    1e-4, rtol: 1e-4,
		})
	}
	// A biased convolution, as models build it, and one that only needs the
	// filter gradient (a frozen input, as the first layer's image).
	cc := convCases[1]
	p := cc.params()
	xShape, wShape := []int{cc.n, cc.h, cc.w, cc.c}, []int{cc.k, cc.r, cc.s, cc.c}
	check(t, dev, opCase{
		name: "Conv2D+AddBias",
		inputs: []input{
			{shape: xShape, data: randn(rng, prod(xShape)), grad: true},
			{shape: wShape, data: randn(rng, prod(wShape)), grad: true},
			{shape: []int{cc.k}, data: randn(rng, cc.k), grad: true},
		},
		forward: func(in []*autograd.Tensor) *autograd.Tensor {
			return autograd.AddBias(autograd.Conv2D(in[0], in[1], cc.o), in[2])
		},
		ref: func(in [][]float64) []float64 {
			y := convRef(p, in[0], in[1])
			for i := range y {
				y[i] += in[2][i%cc.k]
			}
			return y
		},
		atol: 1e-4, rtol: 1e-4,
	})
	check(t, dev, opCase{
		name: "Conv2D frozen input",
		inputs: []input{
			{shape: xShape, data: randn(rng, prod(xShape))},
			{shape: wShape, data: randn(rng, prod(wShape)), grad: true},
		},
		forward: func(in []*autograd.Tensor) *autograd.Tensor { return autograd.Conv2D(in[0], in[1], cc.o) },
		ref:     func(in [][]float64) []float64 { return convRef(p, in[0], in[1]) },
		atol:    1e-4, rtol: 1e-4,
	})
	testConvPanics(t, dev)
}

// testConvPanics checks that shape misuse panics instead of computing.
func testConvPanics(t *testing.T, dev *autograd.Device) {
	x := autograd.Zeros(dev, 1, 5, 5, 4)
	for name, f := range map[string]func(){
		"filter channels": func() { autograd.Conv2D(x, autograd.Zeros(dev, 2, 3, 3, 3), autograd.Conv2DOptions{}) },
		"groups":          func() { autograd.Conv2D(x, autograd.Zeros(dev, 3, 3, 3, 2), autograd.Conv2DOptions{Groups: 2}) },
		"too large":       func() { autograd.Conv2D(x, autograd.Zeros(dev, 2, 7, 7, 4), autograd.Conv2DOptions{}) },
		"3-D input": func() {
			autograd.Conv2D(autograd.Zeros(dev, 5, 5, 4), autograd.Zeros(dev, 2, 3, 3, 4), autograd.Conv2DOptions{})
		},
	} {
		if !panics(f) {
			t.Errorf("Conv2D with bad %s did not panic", name)
		}
	}
}

func panics(f func()) (did bool) {
	defer func() { did = recover() != nil }()
	f()
	return false
}

// convRef is the naive float64 cross-correlation of x (N, H, W, C) with
// w (K, R, S, C/G), straight from the definition.
func convRef(p autograd.ConvParams, x, w []float64) []float64 {
	y := make([]float64, p.N*p.P()*p.Q()*p.K)
	forEachTap(p, func(xi, wi, yi int) { y[yi] += x[xi] * w[wi] })
	return y
}

// forEachTap calls tap with the indices of every product of a convolution:
// input element xi times filter element wi, added to output element yi,
// in the NHWC and KRSC layouts; taps in the padding are left out.
func forEachTap(p autograd.ConvParams, tap func(xi, wi, yi int)) {
	pp, qq := p.P(), p.Q()
	cg, kg := p.C/p.Groups, p.K/p.Groups
	for n := range p.N {
		for oh := range pp {
			for ow := range qq {
				for k := range p.K {
					g := k / kg
					yi := ((n*pp+oh)*qq+ow)*p.K + k
					for r := range p.R {
						h := oh*p.StrideH - p.PadH + r*p.DilH
						for s := range p.S {
							iw := ow*p.StrideW - p.PadW + s*p.DilW
							if h < 0 || h >= p.H || iw < 0 || iw >= p.W {
								continue
							}
							for c := range cg {
								tap(((n*p.H+h)*p.W+iw)*p.C+g*cg+c, ((k*p.R+r)*p.S+s)*cg+c, yi)
							}
						}
					}
				}
			}
		}
	}
}

func prod(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}
