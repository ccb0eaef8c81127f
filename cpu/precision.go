package cpu

import "github.com/gocnn/gocnn/autograd"

var _ autograd.PrecisionSetter = (*Backend)(nil)

// SetPrecision makes Conv2D, its backward passes and Gemm compute in p:
// the reference of mixed-precision training (-amp), whose numerics a GPU's
// tensor-core kernels must match. Both operands are rounded to p, the sums
// accumulate in fp32 as before, and the result is rounded to p.
func (b *Backend) SetPrecision(p autograd.Precision) { b.precision = p }

// narrow prepares a call at b's precision: it replaces each operand by a
// copy rounded to the precision, and returns what to defer, which rounds
// the first n elements of result and frees the copies. At fp32 it changes
// nothing.
func (b *Backend) narrow(result autograd.Buffer, n int, operands ...*autograd.Buffer) (done func()) {
	if b.precision == autograd.FP32 {
		return func() {}
	}
	copies := make([]autograd.Buffer, len(operands))
	for i, op := range operands {
		src := floats(*op)
		copies[i] = b.Alloc(autograd.Float32, len(src))
		b.round(floats(copies[i]), src)
		*op = copies[i]
	}
	return func() {
		out := floats(result)
		out = out[:min(n, len(out))]
		b.round(out, out)
		for _, c := range copies {
			b.Free(c)
		}
	}
}

// round sets dst to src rounded to b's precision; they may be the same.
func (b *Backend) round(dst, src []float32) {
	p := b.precision
	b.parallelFor(len(src), 1<<14, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			dst[i] = p.Round(src[i])
		}
	})
}
