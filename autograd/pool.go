package autograd

import "fmt"

// PoolOptions configures MaxPool2D and AvgPool2D. Pairs are (height, width).
// A zero Stride means the kernel size, as in PyTorch.
type PoolOptions struct {
	Kernel, Stride, Padding [2]int
	CeilMode                bool
	// ExcludePad makes AvgPool2D divide by the number of taps inside the
	// input (PyTorch's count_include_pad=False); the default counts padding.
	ExcludePad bool
}

// poolParams describes pooling x with o; it panics, naming op, when x is
// not an NHWC tensor of activations or the window does not fit.
func poolParams(op string, x *Tensor, o PoolOptions) PoolParams {
	sameShape(op, x)
	n, h, w, c := x.shape.NHWC(op)
	stride := o.Stride
	for i := range stride {
		if stride[i] == 0 {
			stride[i] = o.Kernel[i]
		}
	}
	p := PoolParams{
		N: n, H: h, W: w, C: c,
		R: o.Kernel[0], S: o.Kernel[1],
		StrideH: stride[0], StrideW: stride[1],
		PadH: o.Padding[0], PadW: o.Padding[1],
		CeilMode:        o.CeilMode,
		CountIncludePad: !o.ExcludePad,
	}
	if err := p.Validate(); err != nil {
		panic(fmt.Sprintf("autograd: %s: %v", op, err))
	}
	return p
}

// MaxPool2D returns the maxima of x (N, H, W, C) over each window: an
// (N, P, Q, C) tensor. It panics when x is not NHWC or the window does not
// fit.
func MaxPool2D(x *Tensor, o PoolOptions) *Tensor {
	p := poolParams("MaxPool2D", x, o)
	be := x.dev.backend
	y := Empty(x.dev, x.DType(), p.N, p.P(), p.Q(), p.C)
	argmax := Empty(x.dev, Int32, p.N, p.P(), p.Q(), p.C)
	be.MaxPool2D(p, x.buf, y.buf, argmax.buf)
	return record("MaxPool2D", y, []*Tensor{x}, func(dy *Tensor) []*Tensor {
		dx := Empty(x.dev, Float32, x.shape...)
		be.MaxPool2DBackward(p, dy.buf, argmax.buf, dx.buf)
		return []*Tensor{dx}
	}, argmax)
}

// AvgPool2D returns the means of x (N, H, W, C) over each window: an
// (N, P, Q, C) tensor. It panics when x is not NHWC or the window does not
// fit.
func AvgPool2D(x *Tensor, o PoolOptions) *Tensor {
	p := poolParams("AvgPool2D", x, o)
	be := x.dev.backend
	y := Empty(x.dev, x.DType(), p.N, p.P(), p.Q(), p.C)
	be.AvgPool2D(p, x.buf, y.buf)
	return record("AvgPool2D", y, []*Tensor{x}, func(dy *Tensor) []*Tensor {
		dx := Empty(x.dev, Float32, x.shape...)
		be.AvgPool2DBackward(p, dy.buf, dx.buf)
		return []*Tensor{dx}
	})
}

// GlobalAvgPool returns the mean over H and W of x (N, H, W, C): an (N, C)
// tensor. It panics when x is not NHWC.
func GlobalAvgPool(x *Tensor) *Tensor {
	sameShape("GlobalAvgPool", x)
	n, h, w, c := x.shape.NHWC("GlobalAvgPool")
	be := x.dev.backend
	y := Empty(x.dev, x.DType(), n, c)
	be.GlobalAvgPool(n, h*w, c, x.buf, y.buf)
	return record("GlobalAvgPool", y, []*Tensor{x}, func(dy *Tensor) []*Tensor {
		dx := Empty(x.dev, Float32, x.shape...)
		be.GlobalAvgPoolBackward(n, h*w, c, dy.buf, dx.buf)
		return []*Tensor{dx}
	})
}

// AdaptiveAvgPool2D returns the means of x (N, H, W, C) over the bins of
// AdaptivePoolParams: an (N, outH, outW, C) tensor, as PyTorch's
// adaptive_avg_pool2d, for any input size. Where the output sides divide
// the input's, the bins are AvgPool2D's equal windows and it runs
// AvgPool2D. It panics when x is not NHWC or an output side is below 1.
func AdaptiveAvgPool2D(x *Tensor, outH, outW int) *Tensor {
	const op = "AdaptiveAvgPool2D"
	sameShape(op, x)
	n, h, w, c := x.shape.NHWC(op)
	p := AdaptivePoolParams{N: n, H: h, W: w, C: c, OutH: outH, OutW: outW}
	if err := p.Validate(); err != nil {
		panic(fmt.Sprintf("autograd: %s: %v", op, err))
	}
	if h%outH == 0 && w%outW == 0 {
		return AvgPool2D(x, PoolOptions{Kernel: [2]int{h / outH, w / outW}})
	}
	be := x.dev.backend
	y := Empty(x.dev, x.DType(), n, outH, outW, c)
	be.AdaptiveAvgPool2D(p, x.buf, y.buf)
	return record(op, y, []*Tensor{x}, func(dy *Tensor) []*Tensor {
		dx := Empty(x.dev, Float32, x.shape...)
		be.AdaptiveAvgPool2DBackward(p, dy.buf, dx.buf)
		return []*Tensor{dx}
	})
}
