//go:build !openblas

package cpu

// winogradWideChunk bounds the transformed inputs (floats) that one task
// of winogradWide multiplies by one element's filters: the chunk is read
// once per strip of 16 filters, so it must stay in the L2 cache.
const winogradWideChunk = 1 << 16

// winogradWideStride returns the floats from one element's matrix of
// size floats to the next: a cache line more, so that the transforms,
// which write or read one row of each of the 16 elements in turn, do not
// find all 16 rows in one set of the L1 cache when size is a multiple of
// its way size (4 KiB), as at 256 and 512 channels.
func winogradWideStride(size int) int { return size + nr }

// winogradWide computes the same convolution as winogradTiles in three
// passes over the whole batch instead of one per block of tiles: the input
// transform of every tile, then each element ξ's matrix product (tiles, C)
// x (C, K) a chunk of tiles at a time, which reads ξ's filters (C K
// floats) once per chunk, then the output transform. Each output element
// is still summed by one task over the channels in order, so the result
// is the same as winogradTiles' and does not depend on the worker count
// or the batch.
func (b *Backend) winogradWide(g convGeom, x, u, y []float32) {
	th, tw := (g.p+1)/2, (g.q+1)/2
	tiles := g.N * th * tw
	per := (g.K + nr - 1) / nr * nr * g.C // floats of u per element ξ
	// The elements' matrices are a cache line more than their size apart
	// (see winogradWideStride); kernel6x16 reads mr rows of v whatever the
	// rows left, which may reach mr-1 rows past the last element's.
	ev, em := winogradWideStride(tiles*g.C), winogradWideStride(tiles*g.K)
	v := b.scratch(16*ev + (mr-1)*g.C) // (16, tiles, C)
	m := b.scratch(16 * em)            // (16, tiles, K)
	defer b.recycle(v)
	defer b.recycle(m)
	zero := b.scratch(g.C) // the padding's pixels
	defer b.recycle(zero)
	clear(zero)
	b.parallelFor(tiles, 16, func(t0, t1 int) {
		for t := t0; t < t1; t++ {
			g.winogradInput(x, t/(th*tw), t%(th*tw)/tw*2, t%tw*2, v[t*g.C:], ev, zero)
		}
	})
	chunk := max(mr, winogradWideChunk/g.C/mr*mr)
	chunks := (tiles + chunk - 1) / chunk
	b.parallelFor(16*chunks, 1, func(lo, hi int) {
		var tile [mr * nr]float32
		for task := lo; task < hi; task++ {
			e, t0 := task/chunks, task%chunks*chunk
			t1 := min(tiles, t0+chunk)
			for j := 0; j < g.K; j += nr {
				for t := t0; t < t1; t += mr {
					kernel6x16(g.C, &v[e*ev+t*g.C], g.C, 1, &u[e*per+j*g.C], &tile[0])
					storeTile(&tile, min(mr, t1-t), min(nr, g.K-j), 1, 0, m[e*em+t*g.K+j:], g.K)
				}
			}
		}
	})
	b.parallelFor(tiles, 16, func(t0, t1 int) {
		spill := b.scratch(g.K) // outputs past the edge
		defer b.recycle(spill)
		for t := t0; t < t1; t++ {
			g.winogradOutput(m[t*g.K:], em, t/(th*tw), t%(th*tw)/tw*2, t%tw*2, y, spill)
		}
	})
}

// winogradFilterWide computes convWinogradFilter's gradient in the same
// three passes as winogradWide: the transforms of every tile's input and
// output gradient, then each element ξ's product (C, tiles) x (tiles, K)
// over the whole batch, a task a block of channels, then the filter
// transform. Each product element is summed by one task over the tiles in
// order, so no worker needs an accumulator of its own (16 C K floats, which
// at 256 channels and more no longer stay in the cache).
func (b *Backend) winogradFilterWide(g convGeom, x, dy, dw []float32) {
	th, tw := (g.p+1)/2, (g.q+1)/2
	tiles := g.N * th * tw
	kp := (g.K + nr - 1) / nr * nr
	strips := kp / nr
	// A tile's channels are ldc floats apart, not C: kernel6x16 reads
	// mr channels of every tile in turn, and at a power-of-two C those
	// reads all fell in two sets of the L1 cache. It reads mr channels
	// whatever the channels left, which stay within the padding.
	ldc := g.C + nr
	ev := winogradWideStride(tiles * ldc)
	v := b.scratch(16 * ev) // (16, tiles, ldc)
	// A strip's rows are ldz floats apart, not tiles*16: the gradient
	// transform writes a tile's row of every strip and element in turn,
	// and at a power-of-two tile count those rows all fell in one set of
	// the L1 cache.
	ldz := (tiles + 1) * nr
	ez := winogradWideStride(strips * ldz)
	z := b.scratch(16 * ez)         // (16, strips, ldz)
	acc := b.scratch(16 * g.C * kp) // (16, C, kp)
	defer b.recycle(v)
	defer b.recycle(z)
	defer b.recycle(acc)
	zero := b.scratch(g.C + g.K) // the padding's pixels
	defer b.recycle(zero)
	clear(zero)
	b.parallelFor(tiles, 16, func(t0, t1 int) {
		for t := t0; t < t1; t++ {
			img, p0, q0 := t/(th*tw), t%(th*tw)/tw*2, t%tw*2
			g.winogradInput(x, img, p0, q0, v[t*ldc:], ev, zero)
			g.winogradGradOutput(dy, img, p0, q0, z[t*nr:], ez, ldz, zero)
		}
	})
	groups := (g.C + mr - 1) / mr
	b.parallelFor(16*groups, 1, func(lo, hi int) {
		var tile [mr * nr]float32
		for task := lo; task < hi; task++ {
			e, i := task/groups, task%groups*mr
			for s := range strips {
				kernel6x16(tiles, &v[e*ev+i], 1, ldc, &z[e*ez+s*ldz], &tile[0])
				storeTile(&tile, min(mr, g.C-i), nr, 1, 0, acc[(e*g.C+i)*kp+s*nr:], kp)
			}
		}
	})
	b.filterGradFromProducts(g, acc, kp, dw)
}
