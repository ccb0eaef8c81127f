package autograd

import "fmt"

// Add returns a + b for tensors of one shape on one device.
func Add(a, b *Tensor) *Tensor {
	sameShape("Add", a, b)
	y := Empty(a.dev, Float32, a.shape...)
	a.dev.backend.Add(a.buf, b.buf, y.buf)
	return record("Add", y, []*Tensor{a, b}, func(dy *Tensor) []*Tensor {
		return []*Tensor{dy, dy}
	})
}

// Mul returns the elementwise product a * b for tensors of one shape.
func Mul(a, b *Tensor) *Tensor {
	sameShape("Mul", a, b)
	be := a.dev.backend
	y := Empty(a.dev, Float32, a.shape...)
	be.Mul(a.buf, b.buf, y.buf)
	return record("Mul", y, []*Tensor{a, b}, func(dy *Tensor) []*Tensor {
		var da, db *Tensor
		if a.requiresGrad {
			da = Empty(a.dev, Float32, a.shape...)
			be.Mul(dy.buf, b.buf, da.buf)
		}
		if b.requiresGrad {
			db = Empty(b.dev, Float32, b.shape...)
			be.Mul(dy.buf, a.buf, db.buf)
		}
		return []*Tensor{da, db}
	})
}

// Scale returns alpha * x.
func Scale(x *Tensor, alpha float32) *Tensor {
	be := x.dev.backend
	y := Empty(x.dev, Float32, x.shape...)
	be.Axpby(alpha, x.buf, 0, y.buf)
	return record("Scale", y, []*Tensor{x}, func(dy *Tensor) []*Tensor {
		dx := Empty(x.dev, Float32, x.shape...)
		be.Axpby(alpha, dy.buf, 0, dx.buf)
		return []*Tensor{dx}
	})
}

// sameShape panics unless every tensor has a's shape and device and is
// Float32.
func sameShape(op string, a *Tensor, others ...*Tensor) {
	for _, b := range append([]*Tensor{a}, others...) {
		if !b.shape.Equal(a.shape) || b.dev != a.dev || b.DType() != Float32 {
			panic(fmt.Sprintf("autograd: %s of %v %v on %s and %v %v on %s", op, a.DType(), a.shape, a.dev.Name(), b.DType(), b.shape, b.dev.Name()))
		}
	}
}
