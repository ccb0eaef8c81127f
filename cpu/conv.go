package cpu

import (
	"sync"

	"github.com/gocnn/gocnn/autograd"
)

// colBudget bounds each worker's im2col buffer (in floats), so a large
// batch is lowered a block of rows at a time instead of all at once.
const colBudget = 1 << 18

var colPool = sync.Pool{New: func() any { s := make([]float32, colBudget); return &s }}

// directConv and directConvFlipped, where the build has them
// (conv_direct_amd64.go), compute Conv2D, and Conv2DBackwardData as the
// convolution q of transposedAsConv, without im2col; they report whether
// they handled the geometry.
var (
	directConv        func(b *Backend, g convGeom, x, w, y []float32) bool
	directConvFlipped func(b *Backend, g convGeom, q autograd.ConvParams, dy, w, dx []float32) bool
)

// Conv2D sets y to the cross-correlation of x with w.
// x: (N, H, W, C); w: (K, R, S, C/G); y: (N, P, Q, K).
// It panics when p is invalid or a buffer does not match it.
func (b *Backend) Conv2D(p autograd.ConvParams, x, w, y autograd.Buffer) {
	if p.Depthwise() && b.viaFloat32([]autograd.Buffer{x}, []autograd.Buffer{y}, func(in, out []autograd.Buffer) {
		b.Conv2D(p, in[0], w, out[0])
	}) {
		return
	}
	b.conv2D("Conv2D", p, x, w, y, nil)
}

// conv2D is Conv2D with epilogue e (nil for none) applied by each path
// where it writes its output; e then also rounds the result to b's
// precision, before its bias, so narrow rounds nothing.
func (b *Backend) conv2D(op string, p autograd.ConvParams, x, w, y autograd.Buffer, e *convEpilogue) {
	rounded := y.Len()
	if e != nil {
		rounded = 0
	}
	defer b.narrow(y, rounded, &x, &w)()
	g := newConvGeom(op, p)
	g.epi = e
	xv, wv, yv := floats(x), floats(w), floats(y)
	g.mustLens(op, xv, wv, yv)
	if g.Depthwise() {
		b.depthwiseForward(g, xv, wv, yv)
		return
	}
	if b.useWinograd(g) {
		winogradConv(b, g, xv, wv, false, yv)
		return
	}
	if directConv != nil && directConv(b, g, xv, wv, yv) {
		return
	}
	if g.Pointwise() {
		// x is already the GEMM's left operand: one product per worker
		// over all its rows packs the filters once, where colBudget's
		// blocks of rows (128 at 2,048 channels) would pack them again
		// for every block.
		b.parallelFor(g.N*g.pq(), g.pq(), func(r0, r1 int) {
			for gr := range g.Groups {
				sgemm(false, true, r1-r0, g.kg, g.cg, 1, xv[r0*g.C+gr*g.cg:], g.C, g.filter(wv, gr), g.rsc, 0, yv[r0*g.K+gr*g.kg:], g.K)
				// The worker's rows at once: a pass over them, not in
				// the cache (no model biases a 1x1 convolution but
				// U-Net's last layer).
				g.epi.block(yv[r0*g.K+gr*g.kg:], r1-r0, g.kg, g.K, gr*g.kg)
			}
		})
		return
	}
	b.parallelFor(g.N, 1, func(n0, n1 int) {
		col := g.colBuffer()
		defer colPool.Put(col)
		g.forBlocks(n0, n1, func(r0, r1 int) {
			for gr := range g.Groups {
				a, lda := g.lower(xv, *col, gr, r0, r1)
				// (rows, RSCg) x (Kg, RSCg)^T -> group gr's columns of y.
				sgemm(false, true, r1-r0, g.kg, g.rsc, 1, a, lda, g.filter(wv, gr), g.rsc, 0, yv[r0*g.K+gr*g.kg:], g.K)
				g.epi.block(yv[r0*g.K+gr*g.kg:], r1-r0, g.kg, g.K, gr*g.kg)
			}
		})
	})
}

// Conv2DBackwardData sets dx to the gradient of Conv2D with respect to x.
// dy: (N, P, Q, K); w: (K, R, S, C/G); dx: (N, H, W, C).
func (b *Backend) Conv2DBackwardData(p autograd.ConvParams, dy, w, dx autograd.Buffer) {
	defer b.narrow(dx, dx.Len(), &dy, &w)()
	g := newConvGeom("Conv2DBackwardData", p)
	dyv, wv, dxv := floats(dy), floats(w), floats(dx)
	g.mustLens("Conv2DBackwardData", dxv, wv, dyv)
	if g.Depthwise() {
		b.depthwiseBackwardData(g, dyv, wv, dxv)
		return
	}
	if q, ok := g.transposedAsConv(); ok && !g.Pointwise() {
		if qg := newConvGeom("Conv2DBackwardData", q); b.useWinograd(qg) {
			winogradConv(b, qg, dyv, wv, true, dxv)
			return
		}
		if directConvFlipped == nil || !directConvFlipped(b, g, q, dyv, wv, dxv) {
			flipped := b.flipFilters(g, wv)
			b.Conv2D(q, dy, f32(flipped), dx)
			b.recycle(flipped)
		}
		return
	}
	// Workers own whole images of dx, so the scatter-add of col2im never
	// races and sums in a fixed order.
	b.parallelFor(g.N, 1, func(n0, n1 int) {
		if g.Pointwise() {
			for gr := range g.Groups {
				r0, r1 := n0*g.pq(), n1*g.pq()
				sgemm(false, false, r1-r0, g.cg, g.kg, 1, dyv[r0*g.K+gr*g.kg:], g.K, g.filter(wv, gr), g.rsc, 0, dxv[r0*g.C+gr*g.cg:], g.C)
			}
			return
		}
		clear(dxv[n0*g.H*g.W*g.C : n1*g.H*g.W*g.C])
		col := g.colBuffer()
		defer colPool.Put(col)
		g.forBlocks(n0, n1, func(r0, r1 int) {
			for gr := range g.Groups {
				// (rows, Kg) x (Kg, RSCg) -> columns, added back into dx.
				sgemm(false, false, r1-r0, g.rsc, g.kg, 1, dyv[r0*g.K+gr*g.kg:], g.K, g.filter(wv, gr), g.rsc, 0, *col, g.rsc)
				g.col2im(*col, dxv, gr, r0, r1)
			}
		})
	})
}

// Conv2DBackwardFilter sets dw to the gradient of Conv2D with respect to w.
// x: (N, H, W, C); dy: (N, P, Q, K); dw: (K, R, S, C/G).
func (b *Backend) Conv2DBackwardFilter(p autograd.ConvParams, x, dy, dw autograd.Buffer) {
	if p.Depthwise() && b.viaFloat32([]autograd.Buffer{x}, nil, func(in, _ []autograd.Buffer) {
		b.Conv2DBackwardFilter(p, in[0], dy, dw)
	}) {
		return
	}
	defer b.narrow(dw, dw.Len(), &x, &dy)()
	g := newConvGeom("Conv2DBackwardFilter", p)
	xv, dyv, dwv := floats(x), floats(dy), floats(dw)
	g.mustLens("Conv2DBackwardFilter", xv, dwv, dyv)
	if g.Depthwise() {
		b.depthwiseBackwardFilter(g, xv, dyv, dwv)
		return
	}
	if b.useWinogradFilter(g) {
		winogradFilterGrad(b, g, xv, dyv, dwv)
		return
	}
	if g.kg >= wideFilterBank {
		// Workers own bands of each group's filters and sum over the
		// whole batch: nothing to reduce, and the order of the sums
		// does not depend on the worker count. Each worker lowers x
		// itself, which costs 1/band of its arithmetic.
		clear(dwv)
		b.parallelFor(g.kg, wideFilterBank/2, func(k0, k1 int) {
			g.backwardFilterBlocks(xv, 0, g.N, func(gr, r0, r1 int, a []float32, lda int) {
				// (k1-k0, RSCg) += dy^T x columns, straight into dw.
				sgemm(true, false, k1-k0, g.rsc, r1-r0, 1, dyv[r0*g.K+gr*g.kg+k0:], g.K, a, lda, 1, dwv[(gr*g.kg+k0)*g.rsc:], g.rsc)
			})
		})
		return
	}
	// Narrow banks are accumulated transposed, (RSCg, Kg) = columns^T x dy:
	// that keeps the GEMM's short side (Kg, often 16) as its width, where
	// the micro-kernel wastes nothing, instead of its height.
	acc := b.scratch(len(dwv)) // (G, RSCg, Kg)
	defer b.recycle(acc)
	b.reduceChunks(g.N, acc, func(n0, n1 int, acc []float32) {
		g.backwardFilterBlocks(xv, n0, n1, func(gr, r0, r1 int, a []float32, lda int) {
			sgemm(true, false, g.rsc, g.kg, r1-r0, 1, a, lda, dyv[r0*g.K+gr*g.kg:], g.K, 1, acc[gr*g.rsc*g.kg:], g.kg)
		})
	})
	for gr := range g.Groups {
		b.transpose(dwv[gr*g.kg*g.rsc:], g.rsc, acc[gr*g.rsc*g.kg:], g.kg, g.rsc, g.kg)
	}
}

// wideFilterBank is the filters per group from which Conv2DBackwardFilter
// accumulates straight into dw's (Kg, RSCg) layout: the micro-kernel then
// fills its height well, and skipping the transposed copy of dw saves more
// than the narrow layout gains (measured on U-Net's 1024-filter layers).
const wideFilterBank = 64

// backwardFilterBlocks lowers images [n0, n1) of x a block of rows at a
// time and calls gemm with each group's columns (a, row stride lda) and the
// block's rows [r0, r1) of dy.
func (g convGeom) backwardFilterBlocks(xv []float32, n0, n1 int, gemm func(gr, r0, r1 int, a []float32, lda int)) {
	col := g.colBuffer()
	defer colPool.Put(col)
	g.forBlocks(n0, n1, func(r0, r1 int) {
		for gr := range g.Groups {
			a, lda := g.lower(xv, *col, gr, r0, r1)
			gemm(gr, r0, r1, a, lda)
		}
	})
}

// transposedAsConv returns the convolution that computes dx from dy when
// that is a plain stride-1 convolution: dy padded by dil*(R-1)-pad,
// correlated with the filters flipped in space and transposed to
// (C, R, S, K/G). It gathers where col2im scatters, so it runs as fast as
// the forward pass. Strided convolutions would need zeros between the
// pixels of dy, so they keep col2im.
func (g convGeom) transposedAsConv() (autograd.ConvParams, bool) {
	padH, padW := g.DilH*(g.R-1)-g.PadH, g.DilW*(g.S-1)-g.PadW
	if g.StrideH != 1 || g.StrideW != 1 || padH < 0 || padW < 0 {
		return autograd.ConvParams{}, false
	}
	q := g.ConvParams
	q.H, q.W, q.C, q.K = g.p, g.q, g.K, g.C
	q.PadH, q.PadW = padH, padW
	return q, true
}

// flipFilters returns w (K, R, S, Cg) as (C, R, S, Kg), each group's
// filters rotated by 180 degrees and their channel axes swapped: for every
// group and tap, a (Kg, Cg) matrix transposed into the flipped tap. The
// result is a scratch buffer for the caller to recycle.
func (b *Backend) flipFilters(g convGeom, w []float32) []float32 {
	out := b.scratch(len(w))
	rs := g.R * g.S
	for gr := range g.Groups {
		for r := range g.R {
			for s := range g.S {
				src := w[((gr*g.kg*g.R+r)*g.S+s)*g.cg:]
				dst := out[((gr*g.cg*g.R+g.R-1-r)*g.S+g.S-1-s)*g.kg:]
				b.transpose(dst, rs*g.kg, src, rs*g.cg, g.kg, g.cg)
			}
		}
	}
	return out
}

// reduceChunks splits [0, n) as parallelFor does (grain 1) and lets body
// add the contribution of each chunk into its own zeroed accumulator of
// len(out) floats; the accumulators are then summed into out in chunk
// order, so the result depends only on the worker count.
func (b *Backend) reduceChunks(n int, out []float32, body func(lo, hi int, acc []float32)) {
	chunks := b.chunks(n, 1)
	accs := make([][]float32, chunks)
	accs[0] = out
	for i := 1; i < chunks; i++ {
		accs[i] = b.scratch(len(out))
	}
	b.parallelFor(chunks, 1, func(c0, c1 int) {
		for c := c0; c < c1; c++ {
			clear(accs[c])
			body(c*n/chunks, (c+1)*n/chunks, accs[c])
		}
	})
	for _, acc := range accs[1:] {
		for i, v := range acc {
			out[i] += v
		}
		b.recycle(acc)
	}
}
