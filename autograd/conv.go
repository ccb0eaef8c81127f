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
// w (K, R, S, C/G): an (N, P, Q, K) tensor. Bias is a separate AddBias, or
// fused with Conv2DBias. It panics when the shapes or options do not fit
// together.
func Conv2D(x, w *Tensor, o Conv2DOptions) *Tensor {
	p := conv2DParams(x, w, o)
	be := x.dev.backend
	var y *Tensor
	if p.Depthwise() && x.DType() == x.dev.activations {
		// Depthwise kernels read and write the stored dtype themselves.
		y = Empty(x.dev, x.DType(), x.shape[0], p.P(), p.Q(), p.K)
		be.Conv2D(p, x.buf, w.buf, y.buf)
	} else {
		y = Empty(x.dev, Float32, x.shape[0], p.P(), p.Q(), p.K)
		xw := widened(x)
		be.Conv2D(p, xw.buf, w.buf, y.buf)
		unwiden(x, xw)
		y = autocast(y)
	}
	return record("Conv2D", y, []*Tensor{x, w}, func(dy *Tensor) []*Tensor {
		dx, dw := convBackward(p, x, w, dy)
		return []*Tensor{dx, dw}
	})
}

// Conv2DBias returns AddBias(Conv2D(x, w, o), b) as one op: the backend
// adds the bias (K) where the convolution writes its output, with the
// roundings of the two separate ops (see Backend.Conv2DBias).
func Conv2DBias(x, w, b *Tensor, o Conv2DOptions) *Tensor {
	return conv2DBias("Conv2DBias", x, w, b, o, false)
}

// Conv2DBiasReLU returns ReLU(AddBias(Conv2D(x, w, o), b)) as one op: the
// convolution's output is written once, biased and clamped, instead of
// three tensors in three passes; the values are the same bits as the
// three ops' (Backend.Conv2DBias defines the roundings). Its backward
// masks the gradient by the output's positives and sums the bias gradient
// in one pass (Backend.BiasReLUBackward), then runs the convolution's
// backward passes on the masked gradient. It keeps x, w and its output for
// the backward, where the three ops would also keep the convolution's and
// the sum's outputs. A residual add, as BatchNormReLU has, is left out: no
// model adds a shortcut to a biased convolution before its ReLU.
func Conv2DBiasReLU(x, w, b *Tensor, o Conv2DOptions) *Tensor {
	return conv2DBias("Conv2DBiasReLU", x, w, b, o, true)
}

// conv2DBias is Conv2DBias, with relu Conv2DBiasReLU.
func conv2DBias(op string, x, w, b *Tensor, o Conv2DOptions, relu bool) *Tensor {
	p := conv2DParams(x, w, o)
	if !b.shape.Equal(Shape{p.K}) || b.dev != x.dev || b.DType() != Float32 {
		panic(fmt.Sprintf("autograd: %s of bias %v %v on %s for %d filters on %s", op, b.DType(), b.shape, b.dev.Name(), p.K, x.dev.Name()))
	}
	be := x.dev.backend
	y := Empty(x.dev, Float32, x.shape[0], p.P(), p.Q(), p.K)
	xw := widened(x)
	be.Conv2DBias(p, relu, xw.buf, w.buf, b.buf, y.buf)
	unwiden(x, xw)
	y = autocast(y)
	return record(op, y, []*Tensor{x, w, b}, func(dy *Tensor) []*Tensor {
		rows := y.Numel() / p.K
		var db *Tensor
		if b.requiresGrad {
			db = Empty(b.dev, Float32, p.K)
		}
		dm := dy // the gradient at the convolution's output
		if relu {
			dm = Empty(y.dev, Float32, y.shape...)
			var dbBuf Buffer
			if db != nil {
				dbBuf = db.buf
			}
			yw := widened(y)
			be.BiasReLUBackward(rows, p.K, yw.buf, dy.buf, dm.buf, dbBuf)
			unwiden(y, yw)
		} else if db != nil {
			be.SumRows(rows, p.K, dy.buf, db.buf)
		}
		dx, dw := convBackward(p, x, w, dm)
		if dm != dy {
			dm.Release()
		}
		return []*Tensor{dx, dw, db}
	})
}

// conv2DParams checks x and w for Conv2D with options o and returns its
// parameters.
func conv2DParams(x, w *Tensor, o Conv2DOptions) ConvParams {
	n, h, wd, c := x.shape.NHWC("Conv2D")
	k, r, s, cg := w.shape.NHWC("Conv2D filter")
	p := convParams("Conv2D", x, w, ConvParams{N: n, H: h, W: wd, C: c, K: k, R: r, S: s},
		o.Stride, o.Padding, o.Dilation, o.Groups)
	if cg*p.Groups != c {
		panic(fmt.Sprintf("autograd: Conv2D filter %v for %d input channels in %d groups, want (K, R, S, %d)", w.shape, c, p.Groups, c/p.Groups))
	}
	return p
}

// convBackward returns Conv2D's gradients for x and w given dy at its
// output, nil for an input that wants none.
func convBackward(p ConvParams, x, w, dy *Tensor) (dx, dw *Tensor) {
	be := x.dev.backend
	if x.requiresGrad {
		dx = Empty(x.dev, Float32, x.shape...)
		be.Conv2DBackwardData(p, dy.buf, w.buf, dx.buf)
	}
	if w.requiresGrad {
		dw = Empty(w.dev, Float32, w.shape...)
		xw := x // depthwise kernels read either dtype
		if !p.Depthwise() {
			xw = widened(x)
		}
		be.Conv2DBackwardFilter(p, xw.buf, dy.buf, dw.buf)
		unwiden(x, xw)
	}
	return dx, dw
}

// convParams completes p (sizes set) with options whose zero values mean
// PyTorch's defaults, and panics, naming op, unless x (Float32 or
// BFloat16) and w (Float32) are on one device and the result is valid.
func convParams(op string, x, w *Tensor, p ConvParams, stride, pad, dil [2]int, groups int) ConvParams {
	if x.dev != w.dev || !x.DType().floating() || w.DType() != Float32 {
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
