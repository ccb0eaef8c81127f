package cpu

// transposeTile is the side of the square blocks transpose copies: a
// block's source and destination rows stay in L1, so both matrices are
// read and written a cache line at a time even when their rows are pages
// apart.
const transposeTile = 32

// transposeSerialBelow is the element count under which transpose runs on
// one goroutine: smaller copies take less time than starting workers.
const transposeSerialBelow = 1 << 16

// transpose writes the rows x cols matrix src (row stride ldSrc) into dst
// as a cols x rows matrix (row stride ldDst): dst[j*ldDst+i] =
// src[i*ldSrc+j]. Workers own disjoint bands of dst's columns.
//
// Each tile goes through a small local buffer, so that dst is written a
// whole row segment at a time. Writing it column-wise instead revisits
// every cache line of the tile once per source row, and when ldDst is a
// multiple of 4 KiB (1024 filters) those lines all fall in one L1 set and
// evict each other.
func (b *Backend) transpose(dst []float32, ldDst int, src []float32, ldSrc, rows, cols int) {
	const t = transposeTile
	tiles := (rows + t - 1) / t
	band := func(t0, t1 int) {
		var tile [t * t]float32
		for i0 := t0 * t; i0 < min(t1*t, rows); i0 += t {
			i1 := min(i0+t, rows)
			for j0 := 0; j0 < cols; j0 += t {
				j1 := min(j0+t, cols)
				for i := i0; i < i1; i++ {
					for j, v := range src[i*ldSrc+j0 : i*ldSrc+j1] {
						tile[j*t+i-i0] = v
					}
				}
				for j := j0; j < j1; j++ {
					copy(dst[j*ldDst+i0:j*ldDst+i1], tile[(j-j0)*t:])
				}
			}
		}
	}
	if rows*cols < transposeSerialBelow {
		band(0, tiles)
		return
	}
	b.parallelFor(tiles, 1, band)
}
