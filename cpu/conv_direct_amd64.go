//go:build !openblas

package cpu

// convDirect computes a Conv2D with one group and no horizontal dilation
// without an im2col matrix. In NHWC the S taps of one filter row, over all
// C channels, are one contiguous run of x, and six neighbouring output
// pixels start C*StrideW apart: the micro-kernel reads them in place, one
// call per filter row, against filters packed once. Only chunks of output
// pixels whose taps reach the padding go through a six-row im2col buffer.
// Each output element is summed by one task in a fixed order, so the
// result does not depend on the worker count. It reports false, computing
// nothing, for other geometries.
func convDirect(b *Backend, g convGeom, x, w, y []float32) bool {
	if g.Groups != 1 || g.DilW != 1 || g.pointwise() {
		return false
	}
	// op(b) = w^T (RSC, K), packed into 16-column strips of depth RSC.
	strips := (g.K + nr - 1) / nr
	wp := make([]float32, g.rsc*strips*nr)
	b.parallelFor(strips, 1, func(s0, s1 int) {
		packB(true, w, g.rsc, 0, g.rsc, s0*nr, min(s1*nr, g.K)-s0*nr, wp[s0*nr*g.rsc:])
	})
	run := g.S * g.C
	rowsAll := g.N * g.pq()
	// Chunks are six consecutive output pixels (n, p, q) in NHWC order;
	// one that spans two rows of the image goes through im2col.
	b.parallelFor((rowsAll+mr-1)/mr, 1, func(lo, hi int) {
		var tile [mr * nr]float32
		col := make([]float32, mr*g.rsc) // (6, RSC)
		for t := lo; t < hi; t++ {
			row0 := t * mr
			rows := min(mr, rowsAll-row0)
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
			}
		}
	})
	return true
}
