package autograd

import "fmt"

// SetActivationDType sets the dtype in which the ops on d return what
// convolutions, transposed convolutions, linear layers and matrix
// products compute: Float32, the default, or BFloat16, which -amp bf16
// selects, as PyTorch's autocast returns bf16 from the ops on its
// lower-precision list. Every other op returns BFloat16 when all its
// activation inputs are BFloat16 and Float32 otherwise, as PyTorch's type
// promotion does. So from a network's first convolution to its logits
// every activation is bf16 and a training step keeps what its backward
// pass reads in half the bytes, while the loss (SoftmaxCrossEntropy
// returns Float32), parameters, gradients, batch-norm statistics and the
// optimizer's state stay Float32.
//
// The ops still compute in fp32: a BFloat16 input is widened exactly while
// a kernel reads it, and a result is rounded to bfloat16 once, to nearest
// even. Convolutions and linear layers at BF16 precision already round
// their results so; the rounding is new for batch norm, activations,
// additions, pooling and concatenation. It panics for a dtype other than
// those two.
func (d *Device) SetActivationDType(dt DType) {
	if dt != Float32 && dt != BFloat16 {
		panic(fmt.Sprintf("autograd: activations stored as %v; want float32 or bfloat16", dt))
	}
	d.activations = dt
}

// ActivationDType returns the dtype ops on d store activations in.
func (d *Device) ActivationDType() DType { return d.activations }

// floating reports whether dt holds activations: Float32 or BFloat16.
func (dt DType) floating() bool { return dt == Float32 || dt == BFloat16 }

// autocast returns y, the Float32 result of a convolution or matrix
// product, in the dtype its device stores activations in, as autocast
// casts the results of the ops on its lower-precision list: y itself, or
// a BFloat16 copy that replaces it (y is released).
func autocast(y *Tensor) *Tensor {
	if y.dev.activations == Float32 {
		return y
	}
	return narrowed(y)
}

// promoted returns y, the Float32 result of any other op, in the dtype of
// the op's inputs, as PyTorch's type promotion does: a BFloat16 copy that
// replaces y when every input is BFloat16 (nil ones aside), else y.
// A batch norm of bf16 activations thus gives bf16, and a sum of Float32
// losses stays Float32 on any device.
func promoted(y *Tensor, inputs ...*Tensor) *Tensor {
	if promotedDType(inputs...) == Float32 {
		return y
	}
	return narrowed(y)
}

// promotedDType returns the dtype of an op's result on activations xs:
// BFloat16 when every one is (nil ones aside), else Float32.
func promotedDType(xs ...*Tensor) DType {
	for _, x := range xs {
		if x != nil && x.DType() != BFloat16 {
			return Float32
		}
	}
	return BFloat16
}

// narrowed returns a BFloat16 copy of y and releases y.
func narrowed(y *Tensor) *Tensor {
	h := Empty(y.dev, BFloat16, y.shape...)
	y.dev.backend.Convert(h.buf, y.buf)
	y.Release()
	return h
}

// widened returns x's values as Float32, for a kernel to read: x itself,
// or a new, unrecorded copy of a BFloat16 x (exact), which the caller
// gives back with unwiden once the kernel has run.
func widened(x *Tensor) *Tensor {
	if x == nil || x.DType() == Float32 {
		return x
	}
	w := Empty(x.dev, Float32, x.shape...)
	x.dev.backend.Convert(w.buf, x.buf)
	return w
}

// unwiden releases w, the result of widened(x), when it is a copy.
func unwiden(x, w *Tensor) {
	if w != x {
		w.Release()
	}
}

// ToFloat32 returns x as a Float32 tensor: x itself, or an exact copy
// made by a recorded op whose gradient passes straight through. It is for
// code that reads an activation's buffer itself (a model's logits, for
// the accuracy), and for the few ops that compute in fp32 and keep that
// input for their backward (transposed convolutions, matrix products,
// squeeze-and-excitation's scales, synchronised batch norm);
// the ops that make up a network's bulk widen a BFloat16 input only while
// their kernels read it and keep the BFloat16 tensor.
func ToFloat32(x *Tensor) *Tensor {
	if x.DType() == Float32 {
		return x
	}
	return record("ToFloat32", widened(x), []*Tensor{x}, func(dy *Tensor) []*Tensor {
		return []*Tensor{dy}
	})
}

// Stored returns x in the dtype its device stores activations in (see
// SetActivationDType), converted by a recorded op whose gradient passes
// straight through: x itself when it is already, a rounded copy of a
// Float32 x when the device stores BFloat16, an exact copy of a BFloat16 x
// when it stores Float32. The ops need no such call (they take either
// dtype); it gives a test, or a model's input, the form the ops produce.
func Stored(x *Tensor) *Tensor {
	dt := x.dev.activations
	if !x.DType().floating() {
		panic(fmt.Sprintf("autograd: Stored of a %v tensor", x.DType()))
	}
	if x.DType() == dt {
		return x
	}
	y := Empty(x.dev, dt, x.shape...)
	x.dev.backend.Convert(y.buf, x.buf)
	return record("Stored", y, []*Tensor{x}, func(dy *Tensor) []*Tensor {
		return []*Tensor{dy}
	})
}

// sameDType returns the buffers of activations xs (nil for a nil one) for
// a backend method that takes its activations in one dtype, Float32 or
// BFloat16 (Backend lists them): their own when all share one, and
// otherwise Float32 copies of the BFloat16 ones, which done releases. dt
// is that dtype, in which the method writes its result: what promoted
// would give.
func sameDType(xs ...*Tensor) (bufs []Buffer, dt DType, done func()) {
	dt = promotedDType(xs...)
	bufs = make([]Buffer, len(xs))
	var copies []*Tensor
	for i, x := range xs {
		switch {
		case x == nil:
		case dt == Float32 && x.DType() == BFloat16:
			w := widened(x)
			copies = append(copies, w)
			bufs[i] = w.buf
		default:
			bufs[i] = x.buf
		}
	}
	return bufs, dt, func() {
		for _, c := range copies {
			c.Release()
		}
	}
}
