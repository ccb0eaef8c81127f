//go:build !openblas

package cpu

import (
	"sync"
	"unsafe"
)

// Winograd F(2x2, 3x3) (Lavin and Gray, 2016) for 3x3 stride-1 convolutions:
// each 2x2 block of output pixels (a tile) of each filter is
// A^T [(G g G^T) ⊙ (B^T d B)] A, with d the tile's 4x4 input patch and g the
// 3x3 filter. Summed over input channels, the 16 element-wise products of
// one tile become 16 matrix products (tiles, C) x (C, K), which run on
// kernel6x16: 16 multiply-adds per tile, channel and filter instead of the
// direct convolution's 36. docs/winograd.md derives the error bound the
// tests hold it to.

// winogradBudget bounds each worker's transformed inputs plus products
// (floats), so that a block of tiles stays in the L2 cache; blocks have at
// least winogradMinBlock tiles, so that the transformed filters, read
// once per block, are read from memory a few times per call at most.
const (
	winogradBudget   = 1 << 17
	winogradMinBlock = 48
	winogradMaxBlock = 240
)

// winogradBuffers are the workers' transformed inputs and products.
var winogradBuffers = sync.Pool{New: func() any { return new([]float32) }}

// winogradBlock returns the tiles per block of a convolution with tiles
// tiles: a multiple of mr, the blocks' count a multiple of the workers so
// that parallelFor's even split of them keeps every worker busy.
func (b *Backend) winogradBlock(g convGeom, tiles int) int {
	most := winogradBlockTiles(winogradBudget, g.C, g.K)
	blocks := (tiles + most - 1) / most
	blocks = (blocks + b.workers - 1) / b.workers * b.workers
	block := (tiles + blocks - 1) / blocks
	return (block + mr - 1) / mr * mr
}

// winogradBlockTiles returns the most tiles a block of transformed
// inputs (c floats a tile) and outputs (k floats) may have within budget
// floats, clamped to [winogradMinBlock, winogradMaxBlock].
func winogradBlockTiles(budget, c, k int) int {
	return min(winogradMaxBlock, max(winogradMinBlock, budget/(16*(c+k))))
}

// filterView reads tap (r, s) of the filter from input channel in to
// output channel out of a 3x3 filter bank at w[base + out*o + in*i + r*rs
// + s*ss]: the forward filters (K, 3, 3, C), or the flipped, transposed
// ones of a backward-data pass, read in place.
type filterView struct{ base, o, i, rs, ss int }

// forwardView reads w (K, 3, 3, C) as it is.
func forwardView(c int) filterView { return filterView{0, 9 * c, 1, 3 * c, c} }

// flippedView reads w (K, 3, 3, C) as the filters (C, 3, 3, K) of the
// backward-data convolution (see transposedAsConv): output channel c,
// input channel k, tap (r, s) is w's tap (2-r, 2-s) of filter k, channel c.
func flippedView(c int) filterView { return filterView{8 * c, 1, 9 * c, -3 * c, -c} }

// convWinograd is winogradConv on this build.
func convWinograd(b *Backend, g convGeom, x, w []float32, flipped bool, y []float32) {
	v := forwardView(g.C)
	if flipped {
		v = flippedView(g.K)
	}
	u := b.winogradFilters(w, v, g.K, g.C)
	if g.K >= b.wideFrom {
		b.winogradWide(g, x, u, y)
	} else {
		b.winogradTiles(g, x, u, y)
	}
	b.recycle(u)
}

// winogradFilters returns G g G^T of every filter g, laid out for
// kernel6x16: 16 matrices (one per element ξ of the 4x4 transform), each
// the (cin, 16) strips of 16 output channels in turn, channels past cout
// zero, in a scratch buffer for the caller to recycle.
func (b *Backend) winogradFilters(w []float32, v filterView, cout, cin int) []float32 {
	strips := (cout + nr - 1) / nr
	per := strips * cin * nr // floats of u per element ξ
	u := b.scratch(16 * per)
	b.parallelFor(strips, 1, func(s0, s1 int) {
		var blk filterBlock
		var taps [9]*float32
		for s := s0; s < s1; s++ {
			for c0 := 0; c0 < cin; c0 += nr {
				blk.gather(w, v, s*nr, min(nr, cout-s*nr), c0, min(nr, cin-c0))
				for c := c0; c < min(c0+nr, cin); c++ {
					for t := range taps {
						taps[t] = &blk[t][c-c0][0]
					}
					row := u[(s*cin+c)*nr:]
					_ = row[15*per+nr-1]
					winogradFilter8(&taps, nr/8, &row[0], 4*per)
				}
			}
		}
	})
	return u
}

// filterBlock holds the taps of nr filters for nr channels, [tap][channel]
// [filter]: a block of the filter bank with the filters consecutive, as
// winogradFilter8 reads them, whatever the bank's layout.
type filterBlock [9][nr][nr]float32

// gather copies the taps of filters o0..o0+lanes-1 for channels
// c0..c0+chans-1 of the bank w read through v into k, zeros for filters
// past lanes. The innermost loop runs along the bank's contiguous axis
// (channels of the forward filters, filters of the flipped ones), so each
// cache line of w is read once.
func (k *filterBlock) gather(w []float32, v filterView, o0, lanes, c0, chans int) {
	if lanes < nr {
		*k = filterBlock{}
	}
	for t := range k {
		at := v.base + o0*v.o + c0*v.i + t/3*v.rs + t%3*v.ss
		if v.o == 1 {
			for c := range chans {
				copy(k[t][c][:lanes], w[at+c*v.i:][:lanes])
			}
			continue
		}
		for lane := range lanes {
			src := w[at+lane*v.o:]
			for c := range chans {
				k[t][c][lane] = src[c*v.i]
			}
		}
	}
}

// winogradFilter8 writes G g G^T for 8*n8 filters, tap t of filter f at
// taps[t][f], element e at u[e*ld + f] (ld in bytes): transformFilter's
// operations, in its order, 8 filters at a time; it is in
// winograd_amd64.s.
//
//go:noescape
func winogradFilter8(taps *[9]*float32, n8 int, u *float32, ld int)

// winograd computes the 3x3 stride-1 convolution g of x with the filters u
// of winogradFilters into y. Workers take blocks of tiles (n, tile row,
// tile column) in order; each output element is summed by one task in a
// fixed order, so the result does not depend on the worker count.
func (b *Backend) winogradTiles(g convGeom, x, u, y []float32) {
	th, tw := (g.p+1)/2, (g.q+1)/2
	tiles := g.N * th * tw
	block := b.winogradBlock(g, tiles)
	kp := (g.K + nr - 1) / nr * nr
	per := kp * g.C // floats of u per element ξ
	b.parallelFor((tiles+block-1)/block, 1, func(lo, hi int) {
		buf := winogradBuffers.Get().(*[]float32)
		defer winogradBuffers.Put(buf)
		if need := 16*block*(g.C+g.K) + g.C + g.K; len(*buf) < need {
			*buf = make([]float32, need)
		}
		v := (*buf)[:16*block*g.C]                // (16, block, C)
		m := (*buf)[len(v):][:16*block*g.K]       // (16, block, K)
		zero := (*buf)[len(v)+len(m):][:g.C]      // the padding's pixels
		spill := (*buf)[len(v)+len(m)+g.C:][:g.K] // outputs past the edge
		clear(zero)
		var tile [mr * nr]float32
		for blk := lo; blk < hi; blk++ {
			t0 := blk * block
			n := min(block, tiles-t0)
			for t := range n {
				g.winogradInput(x, (t0+t)/(th*tw), (t0+t)%(th*tw)/tw*2, (t0+t)%tw*2, v[t*g.C:], block*g.C, zero)
			}
			for e := range 16 {
				for j := 0; j < g.K; j += nr {
					for t := 0; t < n; t += mr {
						kernel6x16(g.C, &v[(e*block+t)*g.C], g.C, 1, &u[e*per+j*g.C], &tile[0])
						storeTile(&tile, min(mr, n-t), min(nr, g.K-j), 1, 0, m[(e*block+t)*g.K+j:], g.K)
					}
				}
			}
			for t := range n {
				g.winogradOutput(m[t*g.K:], block*g.K, (t0+t)/(th*tw), (t0+t)%(th*tw)/tw*2, (t0+t)%tw*2, y, spill)
			}
		}
	})
}

// winogradInput sets v[e*ld + c], for each element e of the 4x4 transform
// and channel c, to B^T d B of the input patch d of image n whose top-left
// corner is output pixel (p0, q0), zeros where it reaches the padding
// (zero, C floats of zeros). B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1].
func (g convGeom) winogradInput(x []float32, n, p0, q0 int, v []float32, ld int, zero []float32) {
	var rows [16]*float32 // the patch's pixels
	if h0, w0 := p0-g.PadH, q0-g.PadW; h0 >= 0 && h0+3 < g.H && w0 >= 0 && w0+3 < g.W {
		// Inside the image: one bounds check for the whole patch.
		at := ((n*g.H+h0)*g.W + w0) * g.C
		_ = x[at+(3*g.W+3)*g.C+g.C-1]
		base := unsafe.Pointer(&x[at])
		for e := range rows {
			rows[e] = (*float32)(unsafe.Add(base, 4*(e/4*g.W+e%4)*g.C))
		}
	} else {
		for i := range 4 {
			h := p0 - g.PadH + i
			for j := range 4 {
				w := q0 - g.PadW + j
				rows[4*i+j] = &zero[0]
				if h >= 0 && h < g.H && w >= 0 && w < g.W {
					rows[4*i+j] = &x[((n*g.H+h)*g.W+w)*g.C]
				}
			}
		}
	}
	c8 := g.C / 8 * 8
	_ = v[15*ld+g.C-1]
	winogradInput8(&rows, c8/8, &v[0], 4*ld)
	var d, t [16]float32
	for c := c8; c < g.C; c++ {
		for e, r := range rows {
			d[e] = unsafe.Slice(r, g.C)[c]
		}
		for j := range 4 {
			d0, d1, d2, d3 := d[j], d[4+j], d[8+j], d[12+j]
			t[j], t[4+j], t[8+j], t[12+j] = d0-d2, d1+d2, d2-d1, d1-d3
		}
		for i := range 4 {
			t0, t1, t2, t3 := t[4*i], t[4*i+1], t[4*i+2], t[4*i+3]
			v[(4*i)*ld+c], v[(4*i+1)*ld+c], v[(4*i+2)*ld+c], v[(4*i+3)*ld+c] = t0-t2, t1+t2, t2-t1, t1-t3
		}
	}
}

// winogradInput8 is winogradInput's first 8*n8 channels, in
// winograd_amd64.s: d holds the 16 patch pixels, ld is in bytes.
//
//go:noescape
func winogradInput8(d *[16]*float32, n8 int, v *float32, ld int)

// winogradOutput8 writes A^T M A for the first 8*n8 filters, M[e] at
// m[e*ld] (ld in bytes), to the four pixels of y, in the order (0, 0),
// (0, 1), (1, 0), (1, 1); it is in winograd_amd64.s.
//
//go:noescape
func winogradOutput8(m *float32, ld int, y *[4]*float32, n8 int)

// winogradOutput writes A^T M A, A^T = [1 1 1 0; 0 1 -1 -1], of the
// products m[e*ld + k] of one tile to output pixels (p0..p0+1,
// q0..q0+1) of image n of y, those inside it; the others go to spill (K
// floats).
func (g convGeom) winogradOutput(m []float32, ld, n, p0, q0 int, y, spill []float32) {
	var px [4]*float32
	for a := range 4 {
		px[a] = &spill[0]
		if p, q := p0+a/2, q0+a%2; p < g.p && q < g.q {
			px[a] = &y[((n*g.p+p)*g.q+q)*g.K]
		}
	}
	k8 := g.K / 8 * 8
	_ = m[15*ld+g.K-1]
	winogradOutput8(&m[0], 4*ld, &px, k8/8)
	var s [8]float32 // A^T M, (2, 4)
	for k := k8; k < g.K; k++ {
		for j := range 4 {
			m0, m1, m2, m3 := m[j*ld+k], m[(4+j)*ld+k], m[(8+j)*ld+k], m[(12+j)*ld+k]
			s[j], s[4+j] = m0+m1+m2, m1-m2-m3
		}
		for a := range 2 {
			s0, s1, s2, s3 := s[4*a], s[4*a+1], s[4*a+2], s[4*a+3]
			unsafe.Slice(px[2*a], g.K)[k] = s0 + s1 + s2
			unsafe.Slice(px[2*a+1], g.K)[k] = s1 - s2 - s3
		}
	}
	if g.epi != nil { // Conv2DBias: while the four pixels are in the cache
		for _, p := range px {
			if p != &spill[0] {
				g.epi.block(unsafe.Slice(p, g.K), 1, g.K, g.K, 0)
			}
		}
	}
}
