package autograd

import "fmt"

// LRNOptions configures LRN; AlexNet (2012) uses Size 5, Alpha 1e-4,
// Beta 0.75, K 2.
type LRNOptions struct {
	Size           int
	Alpha, Beta, K float32
}

// LRN returns local response normalisation across channels of x, whose last
// dimension is channels, as PyTorch's LocalResponseNorm:
// y = x / (K + Alpha/Size * sum of x^2 over channels c-Size/2 .. c+(Size-1)/2)^Beta,
// channels outside the tensor counting as zeros. It panics when Size < 1
// or x has fewer than two dimensions.
func LRN(x *Tensor, o LRNOptions) *Tensor {
	sameShape("LRN", x)
	if o.Size < 1 || len(x.shape) < 2 {
		panic(fmt.Sprintf("autograd: LRN of size %d over shape %v", o.Size, x.shape))
	}
	m, c := x.shape.Rows()
	p := LRNParams{M: m, C: c, Size: o.Size, Alpha: o.Alpha, Beta: o.Beta, K: o.K}
	be := x.dev.backend
	y := Empty(x.dev, Float32, x.shape...)
	scale := Empty(x.dev, Float32, x.shape...)
	xw := widened(x)
	be.LRN(p, xw.buf, y.buf, scale.buf)
	unwiden(x, xw)
	if x.DType() == Float32 {
		return record("LRN", y, []*Tensor{x}, func(dy *Tensor) []*Tensor {
			dx := Empty(x.dev, Float32, x.shape...)
			be.LRNBackward(p, x.buf, y.buf, scale.buf, dy.buf, dx.buf)
			return []*Tensor{dx}
		}, scale)
	}
	// Of bf16 activations it keeps x alone and recomputes the fp32 output
	// and scale its backward reads, which are then the forward's bits.
	scale.Release()
	out := promoted(y, x)
	return record("LRN", out, []*Tensor{x}, func(dy *Tensor) []*Tensor {
		xw := widened(x)
		defer unwiden(x, xw)
		y, scale := Empty(x.dev, Float32, x.shape...), Empty(x.dev, Float32, x.shape...)
		defer y.Release()
		defer scale.Release()
		be.LRN(p, xw.buf, y.buf, scale.buf)
		dx := Empty(x.dev, Float32, x.shape...)
		be.LRNBackward(p, xw.buf, y.buf, scale.buf, dy.buf, dx.buf)
		return []*Tensor{dx}
	})
}
