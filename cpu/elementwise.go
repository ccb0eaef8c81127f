package cpu

import "github.com/gocnn/gocnn/autograd"

// elementGrain is the smallest slice of an elementwise kernel worth a
// goroutine.
const elementGrain = 1 << 15

// Add sets y = a + b.
func (b *Backend) Add(a, bb, y autograd.Buffer) {
	av, bv, yv := floats(a), floats(bb), floats(y)
	mustLen("Add", len(yv), len(av), len(bv))
	b.parallelFor(len(yv), elementGrain, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			yv[i] = av[i] + bv[i]
		}
	})
}

// Mul sets y = a * b.
func (b *Backend) Mul(a, bb, y autograd.Buffer) {
	av, bv, yv := floats(a), floats(bb), floats(y)
	mustLen("Mul", len(yv), len(av), len(bv))
	b.parallelFor(len(yv), elementGrain, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			yv[i] = av[i] * bv[i]
		}
	})
}

// Axpby sets y = alpha*x + beta*y, not reading y when beta is 0.
func (b *Backend) Axpby(alpha float32, x autograd.Buffer, beta float32, y autograd.Buffer) {
	xv, yv := floats(x), floats(y)
	mustLen("Axpby", len(yv), len(xv))
	b.parallelFor(len(yv), elementGrain, func(lo, hi int) {
		switch {
		case beta == 0:
			for i := lo; i < hi; i++ {
				yv[i] = alpha * xv[i]
			}
		case beta == 1:
			for i := lo; i < hi; i++ {
				yv[i] += alpha * xv[i]
			}
		default:
			for i := lo; i < hi; i++ {
				yv[i] = alpha*xv[i] + beta*yv[i]
			}
		}
	})
}

// Sum sets y[0] to the sum of x, accumulated in float64.
func (b *Backend) Sum(x, y autograd.Buffer) {
	xv, yv := floats(x), floats(y)
	mustLen("Sum", 1, len(yv))
	var s float64
	for _, v := range xv {
		s += float64(v)
	}
	yv[0] = float32(s)
}
