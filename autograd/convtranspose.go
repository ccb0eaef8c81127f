package autograd

import "fmt"

// ConvTranspose2DOptions configures ConvTranspose2D. Zero values mean
// PyTorch's defaults. OutputPadding adds rows and columns on the bottom and
// right of the output, resolving which input size a strided convolution is
// transposed from; it must be smaller than the stride.
type ConvTranspose2DOptions struct {
	Stride, Padding, OutputPadding, Dilation [2]int
	Groups                                   int
}

// ConvTranspose2D returns the transposed convolution (the gradient of
// Conv2D with respect to its input) of x (N, H, W, Cin) with filters
// w (Cin, R, S, Cout/G): an (N, Ho, Wo, Cout) tensor with
// Ho = (H-1)*stride - 2*padding + dilation*(R-1) + outputPadding + 1.
// It panics when the shapes or options do not fit together.
func ConvTranspose2D(x, w *Tensor, o ConvTranspose2DOptions) *Tensor {
	n, h, wd, cin := x.shape.NHWC("ConvTranspose2D")
	k, r, s, coutG := w.shape.NHWC("ConvTranspose2D filter")
	if k != cin {
		panic(fmt.Sprintf("autograd: ConvTranspose2D filter %v for %d input channels, want (%d, R, S, Cout/G)", w.shape, cin, cin))
	}
	// p describes the convolution this op transposes: it maps the output
	// (N, Ho, Wo, Cout) back to x (N, H, W, Cin).
	groups := orOne(o.Groups)
	stride, dil := orOnes(o.Stride), orOnes(o.Dilation)
	outSize := func(in, i int, taps int) int {
		return (in-1)*stride[i] - 2*o.Padding[i] + dil[i]*(taps-1) + o.OutputPadding[i] + 1
	}
	for i, op := range o.OutputPadding {
		if op < 0 || op >= stride[i] {
			panic(fmt.Sprintf("autograd: ConvTranspose2D output padding %v must be in [0, stride %v)", o.OutputPadding, stride))
		}
	}
	x = ToFloat32(x)
	p := convParams("ConvTranspose2D", x, w, ConvParams{N: n, H: outSize(h, 0, r), W: outSize(wd, 1, s), C: coutG * groups, K: cin, R: r, S: s},
		stride, o.Padding, dil, groups)
	be := x.dev.backend
	y := Empty(x.dev, Float32, n, p.H, p.W, p.C)
	be.Conv2DBackwardData(p, x.buf, w.buf, y.buf)
	y = autocast(y)
	return record("ConvTranspose2D", y, []*Tensor{x, w}, func(dy *Tensor) []*Tensor {
		var dx, dw *Tensor
		if x.requiresGrad {
			dx = Empty(x.dev, Float32, x.shape...)
			be.Conv2D(p, dy.buf, w.buf, dx.buf)
		}
		if w.requiresGrad {
			// The transposed convolution's input plays the convolution's
			// output gradient, and its output gradient the convolution's input.
			dw = Empty(w.dev, Float32, w.shape...)
			be.Conv2DBackwardFilter(p, dy.buf, x.buf, dw.buf)
		}
		return []*Tensor{dx, dw}
	})
}
