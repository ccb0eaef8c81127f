package cpu

import (
	"math"

	"github.com/gocnn/gocnn/autograd"
)

// window returns the taps [lo, hi) inside the input of the window of output
// position o along one axis.
func window(o, stride, pad, k, in int) (lo, hi int) {
	start := o*stride - pad
	return max(start, 0), min(start+k, in)
}

// covering returns the output positions [lo, hi) whose windows contain
// input position i along one axis.
func covering(i, stride, pad, k, out int) (lo, hi int) {
	// o*stride - pad <= i < o*stride - pad + k
	first := i + pad - k + 1
	lo = 0
	if first > 0 {
		lo = (first + stride - 1) / stride
	}
	return lo, min((i+pad)/stride+1, out)
}

// MaxPool2D sets y to the window maxima of x and argmax to their positions
// h*W + w within the image. Ties go to the first tap in row-major window
// order, as in PyTorch; a NaN in a window makes its maximum NaN (its
// argmax is then the window's first tap).
func (b *Backend) MaxPool2D(p autograd.PoolParams, x, y, argmax autograd.Buffer) {
	if b.viaFloat32([]autograd.Buffer{x}, []autograd.Buffer{y}, func(in, out []autograd.Buffer) {
		b.MaxPool2D(p, in[0], out[0], argmax)
	}) {
		return
	}
	xv, yv, av := floats(x), floats(y), ints(argmax)
	mustLen("MaxPool2D", p.N*p.H*p.W*p.C, len(xv))
	mustLen("MaxPool2D", p.N*p.P()*p.Q()*p.C, len(yv), len(av))
	b.eachWindow(p, xv, func(img []float32, out, _, _, h0, h1, w0, w1 int) {
		ym := yv[out : out+p.C]
		am := av[out:][:len(ym)]
		maxRows(ym, img, p.W, p.C, h0, h1, w0, w1)
		// A second sweep, last tap first, finds the first tap holding the
		// maximum; both sweeps are branch-free, which on random data beats
		// one sweep with an unpredictable "greater" branch.
		for c := range am {
			am[c] = int32(h0*p.W + w0)
		}
		for h := h1 - 1; h >= h0; h-- {
			for w := w1 - 1; w >= w0; w-- {
				idx := int32(h*p.W + w)
				xs := img[int(idx)*p.C:][:len(ym)]
				for c, v := range xs {
					a := am[c]
					if v == ym[c] {
						a = idx
					}
					am[c] = a
				}
			}
		}
	})
}

// eachWindow calls f, in parallel over output rows, for every output
// position (op, oq) of p with the offset out of its C outputs, the image
// img of x (H, W, C) it reads and its taps [h0, h1) x [w0, w1) there.
func (b *Backend) eachWindow(p autograd.PoolParams, x []float32, f func(img []float32, out, op, oq, h0, h1, w0, w1 int)) {
	P, Q := p.P(), p.Q()
	b.parallelFor(p.N*P, rowGrain(Q*p.R*p.S*p.C), func(lo, hi int) {
		for row := lo; row < hi; row++ {
			n, op := row/P, row%P
			h0, h1 := window(op, p.StrideH, p.PadH, p.R, p.H)
			img := x[n*p.H*p.W*p.C:]
			for oq := range Q {
				w0, w1 := window(oq, p.StrideW, p.PadW, p.S, p.W)
				f(img, (row*Q+oq)*p.C, op, oq, h0, h1, w0, w1)
			}
		}
	})
}

// maxRows sets ym to the elementwise maximum of the C-vectors at (h, w) of
// img (H, W, C) for h in [h0, h1), w in [w0, w1).
func maxRows(ym []float32, img []float32, W, C, h0, h1, w0, w1 int) {
	for c := range ym {
		ym[c] = float32(math.Inf(-1))
	}
	for h := h0; h < h1; h++ {
		for w := w0; w < w1; w++ {
			xs := img[(h*W+w)*C:][:len(ym)]
			for c, v := range xs {
				ym[c] = max(ym[c], v)
			}
		}
	}
}

// MaxPool2DBackward sets dx to zero and adds each dy to dx at its argmax.
// Images are independent and each is walked in one order, so the sums do
// not depend on the worker count.
func (b *Backend) MaxPool2DBackward(p autograd.PoolParams, dy, argmax, dx autograd.Buffer) {
	dyv, av, dxv := floats(dy), ints(argmax), floats(dx)
	pq, hwc := p.P()*p.Q(), p.H*p.W*p.C
	mustLen("MaxPool2DBackward", p.N*pq*p.C, len(dyv), len(av))
	mustLen("MaxPool2DBackward", p.N*hwc, len(dxv))
	b.parallelFor(p.N, rowGrain(hwc+pq*p.C), func(lo, hi int) {
		for n := lo; n < hi; n++ {
			img := dxv[n*hwc:][:hwc]
			clear(img)
			for o := n * pq; o < (n+1)*pq; o++ {
				g := dyv[o*p.C:][:p.C]
				a := av[o*p.C:][:len(g)]
				for c, v := range g {
					img[int(a[c])*p.C+c] += v
				}
			}
		}
	})
}

// avgDivisors returns, for each output position along one axis, the
// number of window taps an average divides by: with countPad the taps
// within input plus padding (a ceil-mode overhang beyond that never
// counts), otherwise those within the input. PyTorch's rule.
func avgDivisors(out, stride, pad, k, in int, countPad bool) []int {
	d := make([]int, out)
	for o := range d {
		lo, hi := window(o, stride, pad, k, in)
		if countPad {
			start := o*stride - pad
			lo, hi = start, min(start+k, in+pad)
		}
		d[o] = hi - lo
	}
	return d
}

// AvgPool2D sets y to the window means of x.
func (b *Backend) AvgPool2D(p autograd.PoolParams, x, y autograd.Buffer) {
	if b.viaFloat32([]autograd.Buffer{x}, []autograd.Buffer{y}, func(in, out []autograd.Buffer) {
		b.AvgPool2D(p, in[0], out[0])
	}) {
		return
	}
	xv, yv := floats(x), floats(y)
	P, Q := p.P(), p.Q()
	mustLen("AvgPool2D", p.N*p.H*p.W*p.C, len(xv))
	mustLen("AvgPool2D", p.N*P*Q*p.C, len(yv))
	divH := avgDivisors(P, p.StrideH, p.PadH, p.R, p.H, p.CountIncludePad)
	divW := avgDivisors(Q, p.StrideW, p.PadW, p.S, p.W, p.CountIncludePad)
	b.eachWindow(p, xv, func(img []float32, out, op, oq, h0, h1, w0, w1 int) {
		meanRows(yv[out:out+p.C], img, p.W, p.C, h0, h1, w0, w1, divH[op]*divW[oq])
	})
}

// meanRows sets ys to the elementwise sum of the C-vectors at (h, w) of img
// (H, W, C) for h in [h0, h1), w in [w0, w1), in row-major order,
// multiplied by 1/div.
func meanRows(ys []float32, img []float32, W, C, h0, h1, w0, w1, div int) {
	clear(ys)
	for h := h0; h < h1; h++ {
		for w := w0; w < w1; w++ {
			xs := img[(h*W+w)*C:][:len(ys)]
			for c, v := range xs {
				ys[c] += v
			}
		}
	}
	inv := 1 / float32(div)
	for c := range ys {
		ys[c] *= inv
	}
}

// AvgPool2DBackward sets dx[h, w, c] to the sum, over the outputs whose
// window contains (h, w), of dy divided by that output's divisor.
func (b *Backend) AvgPool2DBackward(p autograd.PoolParams, dy, dx autograd.Buffer) {
	dyv, dxv := floats(dy), floats(dx)
	P, Q := p.P(), p.Q()
	mustLen("AvgPool2DBackward", p.N*P*Q*p.C, len(dyv))
	mustLen("AvgPool2DBackward", p.N*p.H*p.W*p.C, len(dxv))
	divH := avgDivisors(P, p.StrideH, p.PadH, p.R, p.H, p.CountIncludePad)
	divW := avgDivisors(Q, p.StrideW, p.PadW, p.S, p.W, p.CountIncludePad)
	perRow := p.W * p.C * max(1, p.R/p.StrideH) * max(1, p.S/p.StrideW)
	b.parallelFor(p.N*p.H, rowGrain(perRow), func(lo, hi int) {
		for row := lo; row < hi; row++ {
			n, h := row/p.H, row%p.H
			p0, p1 := covering(h, p.StrideH, p.PadH, p.R, P)
			for w := range p.W {
				q0, q1 := covering(w, p.StrideW, p.PadW, p.S, Q)
				d := dxv[(row*p.W+w)*p.C : (row*p.W+w+1)*p.C]
				clear(d)
				for op := p0; op < p1; op++ {
					for oq := q0; oq < q1; oq++ {
						out := ((n*P+op)*Q + oq) * p.C
						inv := 1 / float32(divH[op]*divW[oq])
						for c, g := range dyv[out:][:len(d)] {
							d[c] += g * inv
						}
					}
				}
			}
		}
	})
}

// GlobalAvgPool sets y[n, c] to the mean over i of x[n, i, c], summed in
// float64.
func (b *Backend) GlobalAvgPool(n, hw, c int, x, y autograd.Buffer) {
	if b.viaFloat32([]autograd.Buffer{x}, []autograd.Buffer{y}, func(in, out []autograd.Buffer) {
		b.GlobalAvgPool(n, hw, c, in[0], out[0])
	}) {
		return
	}
	xv, yv := floats(x), floats(y)
	mustLen("GlobalAvgPool", n*hw*c, len(xv))
	mustLen("GlobalAvgPool", n*c, len(yv))
	b.parallelFor(n, rowGrain(hw*c), func(lo, hi int) {
		acc := make([]float64, c)
		for img := lo; img < hi; img++ {
			clear(acc)
			xs := xv[img*hw*c : (img+1)*hw*c]
			for i := 0; i < len(xs); i += c {
				for j, v := range xs[i:][:len(acc)] {
					acc[j] += float64(v)
				}
			}
			for j, s := range acc {
				yv[img*c+j] = float32(s / float64(hw))
			}
		}
	})
}

// GlobalAvgPoolBackward sets dx[n, i, c] = dy[n, c] / hw.
func (b *Backend) GlobalAvgPoolBackward(n, hw, c int, dy, dx autograd.Buffer) {
	dyv, dxv := floats(dy), floats(dx)
	mustLen("GlobalAvgPoolBackward", n*c, len(dyv))
	mustLen("GlobalAvgPoolBackward", n*hw*c, len(dxv))
	inv := 1 / float32(hw)
	b.parallelFor(n*hw, rowGrain(c), func(lo, hi int) {
		for row := lo; row < hi; row++ {
			g := dyv[row/hw*c:][:c]
			d := dxv[row*c:][:len(g)]
			for j, v := range g {
				d[j] = v * inv
			}
		}
	})
}
