package backendtest

import (
	"testing"

	"github.com/gocnn/gocnn/autograd"
)

var _ = register("ConvTranspose2D", testConvTranspose2D)

func testConvTranspose2D(t *testing.T, dev *autograd.Device) {
	rng := newRand(t)
	for _, c := range []struct {
		name          string
		n, h, w, cin  int
		r, s, coutPer int // filter taps and output channels per group
		o             autograd.ConvTranspose2DOptions
	}{
		{"2x2s2 unet", 1, 3, 4, 4, 2, 2, 3, tOpts(2, 0, 0, 1, 1)},
		{"3x3s2p1 output padding 1", 2, 3, 3, 3, 3, 3, 2, tOpts(2, 1, 1, 1, 1)},
		{"3x3s1p1 groups=2", 1, 4, 3, 4, 3, 3, 2, tOpts(1, 1, 0, 1, 2)},
		{"3x3s2p1 dilation 2 groups=2", 1, 3, 3, 4, 3, 3, 2, tOpts(2, 1, 1, 2, 2)},
		{"depthwise 3x3s2", 1, 3, 4, 3, 3, 3, 1, tOpts(2, 0, 0, 1, 3)},
	} {
		xShape, wShape := []int{c.n, c.h, c.w, c.cin}, []int{c.cin, c.r, c.s, c.coutPer}
		check(t, dev, opCase{
			name: "ConvTranspose2D " + c.name,
			inputs: []input{
				{shape: xShape, data: randn(rng, prod(xShape)), grad: true},
				{shape: wShape, data: randn(rng, prod(wShape)), grad: true},
			},
			forward: func(in []*autograd.Tensor) *autograd.Tensor {
				y := autograd.ConvTranspose2D(in[0], in[1], c.o)
				if got, want := y.Shape(), convTransposeShape(c.n, c.h, c.w, c.r, c.s, c.coutPer, c.o); !got.Equal(want) {
					t.Errorf("ConvTranspose2D %s: output shape %v, want %v", c.name, got, want)
				}
				return y
			},
			ref: func(in [][]float64) []float64 {
				return convTransposeRef(c.n, c.h, c.w, c.cin, c.r, c.s, c.coutPer, c.o, in[0], in[1])
			},
			atol: 1e-4, rtol: 1e-4,
		})
	}
	x := autograd.Zeros(dev, 1, 3, 3, 2)
	if !panics(func() {
		autograd.ConvTranspose2D(x, autograd.Zeros(dev, 2, 3, 3, 2), autograd.ConvTranspose2DOptions{Stride: [2]int{2, 2}, OutputPadding: [2]int{2, 2}})
	}) {
		t.Error("ConvTranspose2D with output padding >= stride did not panic")
	}
}

func tOpts(stride, pad, outPad, dil, groups int) autograd.ConvTranspose2DOptions {
	sq := func(v int) [2]int { return [2]int{v, v} }
	return autograd.ConvTranspose2DOptions{Stride: sq(stride), Padding: sq(pad), OutputPadding: sq(outPad), Dilation: sq(dil), Groups: groups}
}

// convTransposeShape is PyTorch's documented output size.
func convTransposeShape(n, h, w, r, s, coutPer int, o autograd.ConvTranspose2DOptions) autograd.Shape {
	size := func(in, taps, i int) int {
		return (in-1)*o.Stride[i] - 2*o.Padding[i] + o.Dilation[i]*(taps-1) + o.OutputPadding[i] + 1
	}
	return autograd.Shape{n, size(h, r, 0), size(w, s, 1), coutPer * o.Groups}
}

// convTransposeRef scatters every input pixel times the filter into the
// output, the definition of a transposed convolution, in float64.
func convTransposeRef(n, h, w, cin, r, s, coutPer int, o autograd.ConvTranspose2DOptions, x, wt []float64) []float64 {
	out := convTransposeShape(n, h, w, r, s, coutPer, o)
	ho, wo, cout := out[1], out[2], out[3]
	cinPer := cin / o.Groups
	y := make([]float64, out.Numel())
	for b := range n {
		for i := range h {
			for j := range w {
				for k := range cin {
					g := k / cinPer
					v := x[((b*h+i)*w+j)*cin+k]
					for dr := range r {
						oh := i*o.Stride[0] - o.Padding[0] + dr*o.Dilation[0]
						for ds := range s {
							ow := j*o.Stride[1] - o.Padding[1] + ds*o.Dilation[1]
							if oh < 0 || oh >= ho || ow < 0 || ow >= wo {
								continue
							}
							for c := range coutPer {
								y[((b*ho+oh)*wo+ow)*cout+g*coutPer+c] += v * wt[((k*r+dr)*s+ds)*coutPer+c]
							}
						}
					}
				}
			}
		}
	}
	return y
}
