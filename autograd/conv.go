package autograd

import "fmt"

// Conv2DOptions configures Conv2D. Zero values mean PyTorch's defaults:
// stride 1, no padding, dilation 1, one group. Pairs are (height, width).
type Conv2DOptions struct {
	Stride, Padding, Dilation [2]int
	// Groups splits input and output channels into independent groups;
	// Groups == C is a depthwise convolution.
	Groups int
}

// Conv2D returns the cross-correlation of x (N, H, W, C) with filters
// w (K, R, S, C/G): an (N, P, Q, K) tensor. Bias is a separate AddBias. It
// panics when the shapes or options do not fit together.
func Conv2D(x, w *Tensor, o Conv2DOptions) *Tensor {
	n, h, wd, c := x.shape.NHWC("Conv2D")
	k, r, s, cg := w.shape.NHWC("Conv2D filter")
	p := convParams("Conv2D", x, w, ConvParams{N: n, H: h, W: wd, C: c, K: k, R: r, S: s},
		o.Stride, o.Padding, o.Dilation, o.Groups)
	if cg*p.Groups != c {
		panic(fmt.Sprintf("autograd: Conv2D filter %v for %d input channels in %d groups, want (K, R, S, %d)", w.shape, c, p.Groups, c/p.Groups))
	}
	be := x.dev.backend
	y := Empty(x.dev, Float32, n, p.P(), p.Q(), k)
	be.Conv2D(p, x.buf, w.buf, y.buf)
	return record("Conv2D", y, []*Tensor{x, w}, func(dy *Tensor) []*Tensor {
		var dx, dw *Tensor
		if x.requiresGrad {
			dx = Empty(x.dev, Float32, x.shape...)
			be.Conv2DBackwardData(p, dy.buf, w.buf, dx.buf)
		}
		if w.requiresGrad {
			dw = Empty(w.dev, Float32, w.shape...)
			be.Conv2DBackwardFilter(p, x.buf, dy.buf, dw.buf)
		}
		return []*Tensor{dx, dw}
	})
}

// convParams completes p (sizes set) with options whose zero values mean
// PyTorch's defaults, and panics, naming op, unless x and w are Float32 on
// one device and the result is valid.
func convParams(op string, x, w *Tensor, p ConvParams, stride, pad, dil [2]int, groups int) ConvParams {
	if x.dev != w.dev || x.DType() != Float32 || w.DType() != Float32 {
		panic(fmt.Sprintf("autograd: %s of %v on %s with filter %v on %s", op, x.DType(), x.dev.Name(), w.DType(), w.dev.Name()))
	}
	p.StrideH, p.StrideW = orOne(stride[0]), orOne(stride[1])
	p.PadH, p.PadW = pad[0], pad[1]
	p.DilH, p.DilW = orOne(dil[0]), orOne(dil[1])
	p.Groups = orOne(groups)
	if err := p.Validate(); err != nil {
		panic(fmt.Sprintf("autograd: %s of %v with filter %v: %v", op, x.shape, w.shape, err))
	}
	return p
}

func orOne(v int) int {
	if v == 0 {
		return 1
	}
	return v
}

func orOnes(v [2]int) [2]int { return [2]int{orOne(v[0]), orOne(v[1])} }
