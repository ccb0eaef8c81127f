package autograd

import "fmt"

// MatMul returns the matrix product of a (m, k) and b (k, n). It panics
// unless both are matrices of activations on one device with matching k.
func MatMul(a, b *Tensor) *Tensor {
	if len(a.shape) != 2 || len(b.shape) != 2 || a.shape[1] != b.shape[0] || a.dev != b.dev || !a.DType().floating() || !b.DType().floating() {
		panic(fmt.Sprintf("autograd: MatMul of %v %v on %s and %v %v on %s", a.DType(), a.shape, a.dev.Name(), b.DType(), b.shape, b.dev.Name()))
	}
	a, b = ToFloat32(a), ToFloat32(b)
	m, k, n := a.shape[0], a.shape[1], b.shape[1]
	be := a.dev.backend
	y := Empty(a.dev, Float32, m, n)
	be.Gemm(false, false, m, n, k, 1, a.buf, b.buf, 0, y.buf)
	y = autocast(y)
	return record("MatMul", y, []*Tensor{a, b}, func(dy *Tensor) []*Tensor {
		var da, db *Tensor
		if a.requiresGrad {
			da = Empty(a.dev, Float32, m, k)
			be.Gemm(false, true, m, k, n, 1, dy.buf, b.buf, 0, da.buf) // dy b^T
		}
		if b.requiresGrad {
			db = Empty(b.dev, Float32, k, n)
			be.Gemm(true, false, k, n, m, 1, a.buf, dy.buf, 0, db.buf) // a^T dy
		}
		return []*Tensor{da, db}
	})
}

// Linear returns x w^T + b for x (..., In), w (Out, In) and b (Out), as
// PyTorch's nn.Linear: every dimension of x but the last is a batch
// dimension. b may be nil. It panics when the shapes do not fit.
func Linear(x, w, b *Tensor) *Tensor {
	rows, in := x.shape.Rows()
	if len(w.shape) != 2 || w.shape[1] != in || w.dev != x.dev || !x.DType().floating() || w.DType() != Float32 {
		panic(fmt.Sprintf("autograd: Linear of %v %v on %s with weight %v %v on %s, want (Out, %d)", x.DType(), x.shape, x.dev.Name(), w.DType(), w.shape, w.dev.Name(), in))
	}
	out := w.shape[0]
	inputs := []*Tensor{x, w}
	if b != nil {
		if !b.shape.Equal(Shape{out}) || b.dev != x.dev || b.DType() != Float32 {
			panic(fmt.Sprintf("autograd: Linear bias %v %v on %s, want (%d) on %s", b.DType(), b.shape, b.dev.Name(), out, x.dev.Name()))
		}
		inputs = append(inputs, b)
	}
	be := x.dev.backend
	yShape := append(x.shape[:len(x.shape)-1:len(x.shape)-1], out)
	y := Empty(x.dev, Float32, yShape...)
	xf := widened(x)
	if b == nil {
		be.Gemm(false, true, rows, out, in, 1, xf.buf, w.buf, 0, y.buf)
	} else {
		prod := Empty(x.dev, Float32, rows, out)
		be.Gemm(false, true, rows, out, in, 1, xf.buf, w.buf, 0, prod.buf)
		be.AddBias(rows, out, prod.buf, b.buf, y.buf)
		prod.Release()
	}
	unwiden(x, xf)
	y = autocast(y)
	return record("Linear", y, inputs, func(dy *Tensor) []*Tensor {
		gs := make([]*Tensor, len(inputs))
		if x.requiresGrad {
			gs[0] = Empty(x.dev, Float32, x.shape...)
			be.Gemm(false, false, rows, in, out, 1, dy.buf, w.buf, 0, gs[0].buf) // dy w
		}
		if w.requiresGrad {
			gs[1] = Empty(w.dev, Float32, out, in)
			xf := widened(x)
			be.Gemm(true, false, out, in, rows, 1, dy.buf, xf.buf, 0, gs[1].buf) // dy^T x
			unwiden(x, xf)
		}
		if b != nil && b.requiresGrad {
			gs[2] = Empty(b.dev, Float32, out)
			be.SumRows(rows, out, dy.buf, gs[2].buf)
		}
		return gs
	})
}
