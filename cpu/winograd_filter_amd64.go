//go:build !openblas

package cpu

import "unsafe"

// The filter gradient of a 3x3 stride-1 convolution by Winograd F(2x2,
// 3x3): the forward pass computes each 2x2 output tile as
// A^T [(G g G^T) ⊙ (B^T d B)] A, so its adjoint gives, for each filter g,
//
//	dL/dg = G^T [ Σ over tiles (B^T d B) ⊙ (A dY A^T) ] G
//
// with d the tile's 4x4 input patch and dY its 2x2 output gradient. The
// sum over tiles is 16 matrix products (C, tiles) x (tiles, K), one per
// element of the 4x4 transform, run on kernel6x16: 16 multiply-adds per
// tile, channel and filter where im2col and GEMM do 36, and no lowered
// copy of x. docs/winograd.md derives the error bound the tests hold it to.

// winogradGradBudget bounds each worker's transformed inputs and
// gradients (floats). Measured with BenchmarkConvPasses: long products
// matter more here than keeping a block in the L2 cache, because every
// block adds its 16 (C, K) products into the accumulator; blocks of 240
// tiles ran 1.05 to 1.3 times faster than blocks of 128 at 64 and 128
// channels, blocks of 480 or 960 slower again.
const winogradGradBudget = 1 << 20

// convWinogradFilter is winogradFilterGrad on this build.
func convWinogradFilter(b *Backend, g convGeom, x, dy, dw []float32) {
	if g.K >= b.wideFrom {
		b.winogradFilterWide(g, x, dy, dw)
		return
	}
	th, tw := (g.p+1)/2, (g.q+1)/2
	perImage := th * tw
	kp := (g.K + nr - 1) / nr * nr
	strips := kp / nr
	// A worker transforms block tiles at a time.
	block := winogradBlockTiles(winogradGradBudget, g.C, kp)
	acc := b.scratch(16 * g.C * kp) // (16, C, kp): M of each channel and filter
	defer b.recycle(acc)
	b.reduceChunks(g.N, acc, func(n0, n1 int, acc []float32) {
		buf := winogradBuffers.Get().(*[]float32)
		defer winogradBuffers.Put(buf)
		if need := 16*block*(g.C+kp) + g.C + g.K; len(*buf) < need {
			*buf = make([]float32, need)
		}
		// v first: kernel6x16 reads up to 5 rows past the last channel,
		// which then fall in z, not past the buffer.
		v := (*buf)[:16*block*g.C]               // (16, block, C)
		z := (*buf)[len(v):][:16*block*kp]       // (16, strips, block, 16)
		zero := (*buf)[len(v)+len(z):][:g.C+g.K] // the padding's pixels
		clear(zero)
		var tile [mr * nr]float32
		for t0 := n0 * perImage; t0 < n1*perImage; t0 += block {
			n := min(block, n1*perImage-t0)
			for t := range n {
				img, p0, q0 := (t0+t)/perImage, (t0+t)%perImage/tw*2, (t0+t)%tw*2
				g.winogradInput(x, img, p0, q0, v[t*g.C:], block*g.C, zero)
				g.winogradGradOutput(dy, img, p0, q0, z[t*nr:], strips*block*nr, block*nr, zero)
			}
			for e := range 16 {
				for s := range strips {
					for i := 0; i < g.C; i += mr {
						kernel6x16(n, &v[e*block*g.C+i], 1, g.C, &z[(e*strips+s)*block*nr], &tile[0])
						storeTile(&tile, min(mr, g.C-i), nr, 1, 1, acc[(e*g.C+i)*kp+s*nr:], kp)
					}
				}
			}
		}
	})
	b.filterGradFromProducts(g, acc, kp, dw)
}

// filterGradFromProducts sets dw (K, 3, 3, C) to G^T M G of each filter
// and channel, M[e] at acc[(e*C + c)*kp + k]. A task takes 16 filters;
// winogradFilterGrad8 transforms them for a block of 16 channels, and the
// block goes out a filter and tap at a time, 16 consecutive channels of dw.
func (b *Backend) filterGradFromProducts(g convGeom, acc []float32, kp int, dw []float32) {
	per := g.C * kp // floats of acc per element ξ
	b.parallelFor(kp/nr, 1, func(s0, s1 int) {
		var blk filterBlock // [tap][channel][filter]
		var taps [9]*float32
		for s := s0; s < s1; s++ {
			for c0 := 0; c0 < g.C; c0 += nr {
				chans := min(nr, g.C-c0)
				for c := range chans {
					for t := range taps {
						taps[t] = &blk[t][c][0]
					}
					m := acc[(c0+c)*kp+s*nr:]
					_ = m[15*per+nr-1]
					winogradFilterGrad8(&m[0], 4*per, &taps, nr/8)
				}
				for lane := range min(nr, g.K-s*nr) {
					for t := range 9 {
						dst := dw[((s*nr+lane)*9+t)*g.C+c0:][:chans]
						for c := range dst {
							dst[c] = blk[t][c][lane]
						}
					}
				}
			}
		}
	})
}

// winogradFilterGrad8 writes G^T M G for 8*n8 filters, M[e] of filter f at
// m[e*ld + f] (ld in bytes), tap t at w[t][f]: transformFilterGrad's
// operations, in its order, 8 filters at a time; it is in
// winograd_filter_amd64.s.
//
//go:noescape
func winogradFilterGrad8(m *float32, ld int, w *[9]*float32, n8 int)

// winogradGradOutput sets z[e*ld + (k/16)*strip + k%16], for each element
// e of the 4x4 transform and filter k < kp (ld/16 strips of 16), to A dY
// A^T of the 2x2 gradient tile dY of image n whose top-left pixel is
// (p0, q0), zeros past the output's edge (zero, K floats of zeros) and
// for filters past K. A^T = [1 1 1 0; 0 1 -1 -1].
func (g convGeom) winogradGradOutput(dy []float32, n, p0, q0 int, z []float32, ld, strip int, zero []float32) {
	var px [4]*float32 // (0,0), (0,1), (1,0), (1,1)
	for a := range 4 {
		px[a] = &zero[0]
		if p, q := p0+a/2, q0+a%2; p < g.p && q < g.q {
			px[a] = &dy[((n*g.p+p)*g.q+q)*g.K]
		}
	}
	k16 := g.K / nr * nr
	strips := ld / strip
	_ = z[15*ld+(strips-1)*strip+nr-1]
	winogradGradOut16(&px, k16/nr, &z[0], 4*ld, 4*strip)
	for k := k16; k < strips*nr; k++ {
		var a, b, c, d float32
		if k < g.K {
			a, b = unsafe.Slice(px[0], g.K)[k], unsafe.Slice(px[1], g.K)[k]
			c, d = unsafe.Slice(px[2], g.K)[k], unsafe.Slice(px[3], g.K)[k]
		}
		s, t, u, v := a+c, b+d, a-c, b-d
		row := [16]float32{a, a + b, a - b, -b, s, s + t, s - t, -t, u, u + v, u - v, -v, -c, -(c + d), d - c, d}
		at := k/nr*strip + k%nr
		for e, x := range row {
			z[e*ld+at] = x
		}
	}
}

// winogradGradOut16 is winogradGradOutput's first 16*n16 filters, in
// winograd_filter_amd64.s: y holds the tile's four pixels, ld and strip
// are in bytes.
//
//go:noescape
func winogradGradOut16(y *[4]*float32, n16 int, z *float32, ld, strip int)
