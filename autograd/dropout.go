package autograd

import "fmt"

// Dropout zeroes each element of x with probability p and scales the rest
// by 1/(1-p) when training; otherwise, or when p is 0, it returns x itself.
// Masks come from the device's dropout sequence (Device.SeedDropout), so
// runs are reproducible. It panics unless 0 <= p < 1.
func Dropout(x *Tensor, p float32, training bool) *Tensor {
	if !(p >= 0 && p < 1) {
		panic(fmt.Sprintf("autograd: Dropout probability %g outside [0, 1)", p))
	}
	if !training || p == 0 {
		return x
	}
	sameShape("Dropout", x)
	be := x.dev.backend
	mask := Empty(x.dev, Float32, x.shape...)
	be.DropoutMask(p, x.dev.nextDropoutSeed(), mask.buf)
	y := Empty(x.dev, Float32, x.shape...)
	xw := widened(x)
	be.Mul(xw.buf, mask.buf, y.buf)
	unwiden(x, xw)
	y = promoted(y, x)
	return record("Dropout", y, []*Tensor{x}, func(dy *Tensor) []*Tensor {
		dx := Empty(x.dev, Float32, x.shape...)
		be.Mul(dy.buf, mask.buf, dx.buf)
		return []*Tensor{dx}
	}, mask)
}
