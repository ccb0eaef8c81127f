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
func (b *Backend) transpose(dst []float32, ldDst int, src []float32, ldSrc, rows, cols int) {
	tiles := (rows + transposeTile - 1) / transposeTile
	band := func(t0, t1 int) {
		for i0 := t0 * transposeTile; i0 < min(t1*transposeTile, rows); i0 += transposeTile {
			i1 := min(i0+transposeTile, rows)
			for j0 := 0; j0 < cols; j0 += transposeTile {
				j1 := min(j0+transposeTile, cols)
				for i := i0; i < i1; i++ {
					row := src[i*ldSrc+j0 : i*ldSrc+j1]
					for j, v := range row {
						dst[(j0+j)*ldDst+i] = v
					}
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
