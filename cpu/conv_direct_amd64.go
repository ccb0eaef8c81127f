//go:build !openblas

package cpu

import "github.com/gocnn/gocnn/autograd"

// convDirect computes a Conv2D with one group and no horizontal dilation
// without an im2col matrix (see convDirectPacked), and reports false,
// computing nothing, for other geometries.
func convDirect(b *Backend, g convGeom, x, w, y []float32) bool {
	if !g.direct() {
		return false
	}
	// op(b) = w^T (RSC, K): each strip row is one tap of 16 filters.
	wp := b.packFilterStrips(g.K, g.rsc, func(strip []float32, k0, k1 int) {
		packB(true, w, g.rsc, 0, g.rsc, k0, k1-k0, strip)
	})
	b.convDirectPacked(g, x, wp, y)
	b.recycle(wp)
	return true
}

// convDirectFlipped computes Conv2DBackwardData of g, when it is the
// stride-1 convolution q of dy (see transposedAsConv), straight from w:
// the flipped, transposed filters are never formed, because a strip row of
// q's packed filters, tap (r, s) of input channel k for 16 output channels
// c, is 16 consecutive channels of w's filter k at tap (R-1-r, S-1-s): a
// plain copy. It reports false for geometries convDirect does not take.
func convDirectFlipped(b *Backend, g convGeom, q autograd.ConvParams, dy, w, dx []float32) bool {
	qg := newConvGeom("Conv2DBackwardData", q)
	if !qg.direct() {
		return false
	}
	wp := b.packFilterStrips(g.C, qg.rsc, func(strip []float32, c0, c1 int) {
		for r := range g.R {
			for s := range g.S {
				for k := range g.K {
					row := strip[((r*g.S+s)*g.K+k)*nr:][:nr]
					copy(row, w[((k*g.R+g.R-1-r)*g.S+g.S-1-s)*g.C+c0:][:c1-c0])
					clear(row[c1-c0:])
				}
			}
		}
	})
	b.convDirectPacked(qg, dy, wp, dx)
	b.recycle(wp)
	return true
}

// direct reports whether convDirectPacked computes g: one group, no
// horizontal dilation, and taps that are not x itself.
func (g convGeom) direct() bool { return g.Groups == 1 && g.DilW == 1 && !g.Pointwise() }

// packFilterStrips returns the packed filters of a direct convolution with
// k filters of depth taps each: 16-filter strips laid out (depth, 16),
// filters past k zero, in a scratch buffer for the caller to recycle. pack
// fills the whole strip of filters [k0, k1), zeros included; strips are
// packed in parallel.
func (b *Backend) packFilterStrips(k, depth int, pack func(strip []float32, k0, k1 int)) []float32 {
	strips := (k + nr - 1) / nr
	wp := b.scratch(depth * strips * nr)
	b.parallelFor(strips, 1, func(s0, s1 int) {
		for s := s0; s < s1; s++ {
			pack(wp[s*nr*depth:][:nr*depth], s*nr, min(s*nr+nr, k))
		}
	})
	return wp
}

// convDirectPacked computes the Conv2D g of x with the filters packed in
// wp by packFilterStrips, without an im2col matrix. In NHWC the S taps of
// one filter row, over all C channels, are one contiguous run of x, and
// six neighbouring output pixels start C*StrideW apart: the micro-kernel
// reads them in place, one call per filter row. Only chunks of output
// pixels whose taps reach the padding go through a six-row im2col buffer.
// Each output element is summed by one task in a fixed order, so the
// result does not depend on the worker count; and the chunks are counted
// from each image's first pixel, so an image's output does not depend on
// the batch it is in either (with chunks counted across the batch, an
// image's pixels fell into the in-place or the im2col path, which round
// differently, by its position in the batch).
func (b *Backend) convDirectPacked(g convGeom, x, wp, y []float32) {
	run := g.S * g.C
	pq := g.pq()
	perImage := (pq + mr - 1) / mr
	// Chunks are six consecutive output pixels (p, q) of one image in
	// NHWC order; one that spans two rows of the image, or the image's
	// last and shorter one, goes through im2col.
	b.parallelFor(g.N*perImage, 1, func(lo, hi int) {
		var tile [mr * nr]float32
		col := make([]float32, mr*g.rsc) // (6, RSC)
		for t := lo; t < hi; t++ {
			first := t % perImage * mr
			row0 := t/perImage*pq + first
			rows := min(mr, pq-first)
			np, q0 := row0/g.q, row0%g.q
			n, h0 := np/g.p, (np%g.p)*g.StrideH-g.PadH
			w0 := q0*g.StrideW - g.PadW
			inside := rows == mr && q0+mr <= g.q && w0 >= 0 && (q0+mr-1)*g.StrideW-g.PadW+g.S <= g.W
			if !inside {
				g.im2col(x, col, 0, row0, row0+rows) // rows past rows are not stored
			}
			for jr := 0; jr < g.K; jr += nr {
				cols, c := min(nr, g.K-jr), y[row0*g.K+jr:]
				if !inside {
					kernel6x16(g.rsc, &col[0], g.rsc, 1, &wp[jr*g.rsc], &tile[0])
					storeTile(&tile, rows, cols, 1, 0, c, g.K)
					g.epi.block(c, rows, cols, g.K, jr)
					continue
				}
				beta := float32(0)
				for r := range g.R {
					h := h0 + r*g.DilH
					if h < 0 || h >= g.H {
						continue
					}
					a := x[((n*g.H+h)*g.W+w0)*g.C:]
					_ = a[(mr-1)*g.StrideW*g.C+run-1] // the kernel reads this far
					kernel6x16(run, &a[0], g.StrideW*g.C, 1, &wp[jr*g.rsc+r*run*nr], &tile[0])
					storeTile(&tile, rows, cols, 1, beta, c, g.K)
					beta = 1
				}
				if beta == 0 { // every tap in the padding
					for i := range rows {
						clear(c[i*g.K:][:cols])
					}
				}
				g.epi.block(c, rows, cols, g.K, jr)
			}
		}
	})
}
