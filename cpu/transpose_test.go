package cpu

import (
	"fmt"
	"testing"
)

// TestTranspose compares transpose with the element-by-element definition
// on shapes that end mid-tile, with padded row strides, on one worker and
// on three (the parallel path), and checks it writes nothing outside the
// destination matrix.
func TestTranspose(t *testing.T) {
	for _, workers := range []int{1, 3} {
		for _, sz := range [][2]int{{1, 1}, {1, 40}, {33, 70}, {300, 257}, {1024, 9}} {
			rows, cols := sz[0], sz[1]
			t.Run(fmt.Sprintf("w%d/%dx%d", workers, rows, cols), func(t *testing.T) {
				ldSrc, ldDst := cols+3, rows+5
				src := make([]float32, rows*ldSrc)
				for i := range src {
					src[i] = float32(i)
				}
				const sentinel = -1
				dst := make([]float32, cols*ldDst)
				for i := range dst {
					dst[i] = sentinel
				}
				New(workers).transpose(dst, ldDst, src, ldSrc, rows, cols)
				for j := range cols {
					for i := range ldDst {
						want := float32(sentinel)
						if i < rows {
							want = src[i*ldSrc+j]
						}
						if got := dst[j*ldDst+i]; got != want {
							t.Fatalf("dst[%d][%d] = %v, want %v", j, i, got, want)
						}
					}
				}
			})
		}
	}
}
