package autograd

import "fmt"

// Add returns a + b for tensors of one shape on one device.
func Add(a, b *Tensor) *Tensor {
	sameShape("Add", a, b)
	bufs, dt, done := sameDType(a, b)
	y := Empty(a.dev, dt, a.shape...)
	a.dev.backend.Add(bufs[0], bufs[1], y.buf)
	done()
	return record("Add", y, []*Tensor{a, b}, func(dy *Tensor) []*Tensor {
		return []*Tensor{dy, dy}
	})
}

// Mul returns the elementwise product a * b for tensors of one shape.
func Mul(a, b *Tensor) *Tensor {
	sameShape("Mul", a, b)
	be := a.dev.backend
	y := Empty(a.dev, Float32, a.shape...)
	aw, bw := widened(a), widened(b)
	be.Mul(aw.buf, bw.buf, y.buf)
	unwiden(a, aw)
	unwiden(b, bw)
	y = promoted(y, a, b)
	return record("Mul", y, []*Tensor{a, b}, func(dy *Tensor) []*Tensor {
		var da, db *Tensor
		if a.requiresGrad {
			da = Empty(a.dev, Float32, a.shape...)
			bw := widened(b)
			be.Mul(dy.buf, bw.buf, da.buf)
			unwiden(b, bw)
		}
		if b.requiresGrad {
			db = Empty(b.dev, Float32, b.shape...)
			aw := widened(a)
			be.Mul(dy.buf, aw.buf, db.buf)
			unwiden(a, aw)
		}
		return []*Tensor{da, db}
	})
}

// Scale returns alpha * x.
func Scale(x *Tensor, alpha float32) *Tensor {
	be := x.dev.backend
	y := Empty(x.dev, Float32, x.shape...)
	xw := widened(x)
	be.Axpby(alpha, xw.buf, 0, y.buf)
	unwiden(x, xw)
	y = promoted(y, x)
	return record("Scale", y, []*Tensor{x}, func(dy *Tensor) []*Tensor {
		dx := Empty(x.dev, Float32, x.shape...)
		be.Axpby(alpha, dy.buf, 0, dx.buf)
		return []*Tensor{dx}
	})
}

// sameShape panics unless every tensor has a's shape and device and holds
// activations (Float32 or BFloat16).
func sameShape(op string, a *Tensor, others ...*Tensor) {
	for _, b := range append([]*Tensor{a}, others...) {
		if !b.shape.Equal(a.shape) || b.dev != a.dev || !b.DType().floating() {
			panic(fmt.Sprintf("autograd: %s of %v %v on %s and %v %v on %s", op, a.DType(), a.shape, a.dev.Name(), b.DType(), b.shape, b.dev.Name()))
		}
	}
}
