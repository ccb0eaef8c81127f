package autograd

import "fmt"

// AddBias returns x + b with b (C) broadcast over every dimension of x but
// its last (C). It panics when b's shape is not (C) or the tensors are on
// different devices.
func AddBias(x, b *Tensor) *Tensor {
	sameShape("AddBias", x)
	rows, cols := x.shape.Rows()
	if !b.shape.Equal(Shape{cols}) || b.dev != x.dev || b.DType() != Float32 {
		panic(fmt.Sprintf("autograd: AddBias of bias %v %v on %s to %v on %s", b.DType(), b.shape, b.dev.Name(), x.shape, x.dev.Name()))
	}
	be := x.dev.backend
	y := Empty(x.dev, Float32, x.shape...)
	xw := widened(x)
	be.AddBias(rows, cols, xw.buf, b.buf, y.buf)
	unwiden(x, xw)
	y = promoted(y, x)
	return record("AddBias", y, []*Tensor{x, b}, func(dy *Tensor) []*Tensor {
		var db *Tensor
		if b.requiresGrad {
			db = Empty(b.dev, Float32, cols)
			be.SumRows(rows, cols, dy.buf, db.buf)
		}
		return []*Tensor{dy, db}
	})
}
