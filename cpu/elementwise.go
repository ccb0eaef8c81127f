package cpu

import (
	"math"

	"github.com/gocnn/gocnn/autograd"
)

// elementGrain is the smallest slice of an elementwise kernel worth a
// goroutine.
const elementGrain = 1 << 15

// Add sets y = a + b.
func (b *Backend) Add(a, bb, y autograd.Buffer) {
	if b.viaFloat32([]autograd.Buffer{a, bb}, []autograd.Buffer{y}, func(in, out []autograd.Buffer) {
		b.Add(in[0], in[1], out[0])
	}) {
		return
	}
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

// Div sets y = a / b.
func (b *Backend) Div(a, bb, y autograd.Buffer) {
	av, bv, yv := floats(a), floats(bb), floats(y)
	mustLen("Div", len(yv), len(av), len(bv))
	b.forEach(len(yv), func(i int) { yv[i] = av[i] / bv[i] })
}

// Sqrt sets y = sqrt(x), correctly rounded as the CUDA kernel's.
func (b *Backend) Sqrt(x, y autograd.Buffer) {
	xv, yv := floats(x), floats(y)
	mustLen("Sqrt", len(yv), len(xv))
	b.forEach(len(yv), func(i int) { yv[i] = sqrt32(xv[i]) })
}

// forEach calls f on every index of [0, n) across the workers; for the
// kernels outside training's hot loops, where a call per element is cheap
// enough.
func (b *Backend) forEach(n int, f func(i int)) {
	b.parallelFor(n, elementGrain, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			f(i)
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

// SumSquares sets y[0] to the sum of x[i]^2, accumulated in float64 per
// chunk and combined in chunk order so the result does not depend on
// timing. y: (1).
func (b *Backend) SumSquares(x, y autograd.Buffer) {
	xv, yv := floats(x), floats(y)
	mustLen("SumSquares", 1, len(yv))
	n := len(xv)
	chunks := b.chunks(n, elementGrain)
	partial := make([]float64, chunks)
	b.parallelFor(n, elementGrain, func(lo, hi int) {
		var s float64
		for _, v := range xv[lo:hi] {
			s += float64(v) * float64(v)
		}
		// Chunk i starts at floor(i*n/chunks); rounding lo*chunks/n up
		// recovers i.
		partial[(lo*chunks+n-1)/n] = s
	})
	var s float64
	for _, v := range partial {
		s += v
	}
	yv[0] = float32(s)
}

// sqrt32 is the correctly rounded float32 square root.
func sqrt32(x float32) float32 { return float32(math.Sqrt(float64(x))) }
