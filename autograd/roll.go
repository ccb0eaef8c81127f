package autograd

import "fmt"

// RollBatch returns x rolled by shift along its first (batch) dimension,
// as torch.roll(x, shift, 0): example i of x is example (i+shift) mod N of
// the result. Its gradient rolls back by -shift. x must be Float32 with at
// least one dimension, or it panics.
func RollBatch(x *Tensor, shift int) *Tensor {
	if len(x.shape) == 0 || x.DType() != Float32 {
		panic(fmt.Sprintf("autograd: RollBatch of %v %v", x.DType(), x.shape))
	}
	y := Empty(x.dev, Float32, x.shape...)
	rollRows(x.dev.backend, x.shape[0], x.Numel()/max(x.shape[0], 1), shift, x.buf, y.buf)
	return record("RollBatch", y, []*Tensor{x}, func(dy *Tensor) []*Tensor {
		dx := Empty(x.dev, Float32, x.shape...)
		rollRows(x.dev.backend, x.shape[0], x.Numel()/max(x.shape[0], 1), -shift, dy.buf, dx.buf)
		return []*Tensor{dx}
	})
}

// rollRows sets row (i+shift) mod n of y to row i of x, for n rows of
// width elements: two copies, of the rows that wrap and of the others.
func rollRows(be Backend, n, width, shift int, x, y Buffer) {
	if n == 0 || width == 0 {
		return
	}
	s := ((shift % n) + n) % n
	be.CopyColumns(1, (n-s)*width, x, 0, 0, y, 0, s*width)
	be.CopyColumns(1, s*width, x, 0, (n-s)*width, y, 0, 0)
}
