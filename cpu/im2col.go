package cpu

import (
	"fmt"

	"github.com/gocnn/gocnn/autograd"
)

// convGeom is a validated ConvParams with the sizes the kernels derive
// from it. Rows are output pixels (n, p, q) in NHWC order; an im2col row
// holds the R x S x C/G input taps one output pixel of one group reads.
type convGeom struct {
	autograd.ConvParams
	p, q   int // output height and width
	cg, kg int // input and output channels per group
	rsc    int // R*S*Cg: the length of an im2col row and of one filter
	// epi, when not nil, is the forward's epilogue (Conv2DBias), which
	// every forward path applies to its output as it writes it.
	epi *convEpilogue
}

func newConvGeom(kernel string, p autograd.ConvParams) convGeom {
	if err := p.Validate(); err != nil {
		panic(fmt.Sprintf("cpu: %s: %v", kernel, err))
	}
	return convGeom{ConvParams: p, p: p.P(), q: p.Q(), cg: p.Cg(), kg: p.Kg(), rsc: p.Taps()}
}

// mustLens panics unless x: (N, H, W, C), w: (K, R, S, C/G) and
// y: (N, P, Q, K) have exactly the lengths g implies.
func (g convGeom) mustLens(kernel string, x, w, y []float32) {
	xn, wn, yn := g.Sizes()
	mustLen(kernel+" x", xn, len(x))
	mustLen(kernel+" w", wn, len(w))
	mustLen(kernel+" y", yn, len(y))
}

func (g convGeom) pq() int { return g.p * g.q }

// filter returns group gr's filters within w: (Kg, R, S, Cg), contiguous.
func (g convGeom) filter(w []float32, gr int) []float32 { return w[gr*g.kg*g.rsc:][:g.kg*g.rsc] }

// colBuffer returns a pooled im2col buffer holding at least one row.
func (g convGeom) colBuffer() *[]float32 {
	col := colPool.Get().(*[]float32)
	if len(*col) < g.rsc {
		s := make([]float32, g.rsc)
		col = &s
	}
	return col
}

// forBlocks calls fn on consecutive row ranges covering images [n0, n1),
// each small enough for its im2col rows to fit the column budget.
func (g convGeom) forBlocks(n0, n1 int, fn func(r0, r1 int)) {
	step := max(1, colBudget/g.rsc)
	end := n1 * g.pq()
	for r0 := n0 * g.pq(); r0 < end; r0 += step {
		fn(r0, min(r0+step, end))
	}
}

// lower returns group gr's im2col matrix for rows [r0, r1) and its leading
// dimension: x itself for a pointwise convolution, else col filled in.
func (g convGeom) lower(x, col []float32, gr, r0, r1 int) ([]float32, int) {
	if g.Pointwise() {
		return x[r0*g.C+gr*g.cg:], g.C
	}
	g.im2col(x, col, gr, r0, r1)
	return col, g.rsc
}

// im2col fills col (rows, R, S, Cg) with the taps of group gr that rows
// [r0, r1) read, zeros where a tap falls in the padding.
func (g convGeom) im2col(x, col []float32, gr, r0, r1 int) {
	for row := r0; row < r1; row++ {
		g.tapRows(row, col[(row-r0)*g.rsc:][:g.rsc], x, gr, func(dst, src []float32) {
			if src == nil {
				clear(dst)
			} else {
				copy(dst, src)
			}
		})
	}
}

// col2im adds the columns of rows [r0, r1) of group gr back into the
// input pixels they were read from; padding taps are dropped.
func (g convGeom) col2im(col, x []float32, gr, r0, r1 int) {
	for row := r0; row < r1; row++ {
		g.tapRows(row, col[(row-r0)*g.rsc:][:g.rsc], x, gr, func(c, xs []float32) {
			if xs == nil {
				return
			}
			xs = xs[:len(c)]
			for i, v := range c {
				xs[i] += v
			}
		})
	}
}

// tapRows pairs the im2col row colRow of output row row with the input it
// reads, calling fn(colSegment, xSegment) on equal-length slices, with a
// nil xSegment for padding. With one group and no horizontal dilation, a
// filter row's S taps are one contiguous run of x (NHWC), so each
// in-bounds filter row is a single call instead of S.
func (g convGeom) tapRows(row int, colRow, x []float32, gr int, fn func(c, xs []float32)) {
	n, pq := row/g.pq(), row%g.pq()
	h0 := (pq/g.q)*g.StrideH - g.PadH
	w0 := (pq%g.q)*g.StrideW - g.PadW
	run := g.Groups == 1 && g.DilW == 1 && w0 >= 0 && w0+g.S <= g.W
	for r := range g.R {
		seg := colRow[r*g.S*g.cg:][:g.S*g.cg]
		h := h0 + r*g.DilH
		if h < 0 || h >= g.H {
			fn(seg, nil)
			continue
		}
		base := (n*g.H+h)*g.W*g.C + gr*g.cg
		if run {
			fn(seg, x[base+w0*g.C:][:len(seg)])
			continue
		}
		for s := range g.S {
			c := seg[s*g.cg:][:g.cg]
			if w := w0 + s*g.DilW; w >= 0 && w < g.W {
				fn(c, x[base+w*g.C:][:g.cg])
			} else {
				fn(c, nil)
			}
		}
	}
}

// taps calls fn for each tap r*S+s of output row row with the offset in x
// of the input pixel (n, h, w, 0) it reads, or -1 when it is padding.
func (g convGeom) taps(row int, fn func(tap, off int)) {
	n, pq := row/g.pq(), row%g.pq()
	h0 := (pq/g.q)*g.StrideH - g.PadH
	w0 := (pq%g.q)*g.StrideW - g.PadW
	for r := range g.R {
		h := h0 + r*g.DilH
		for s := range g.S {
			w := w0 + s*g.DilW
			off := -1
			if h >= 0 && h < g.H && w >= 0 && w < g.W {
				off = ((n*g.H+h)*g.W + w) * g.C
			}
			fn(r*g.S+s, off)
		}
	}
}
