package cpu

import (
	"fmt"

	"github.com/gocnn/gocnn/autograd"
)

// gemmRowGrain is the fewest rows of c worth a worker.
const gemmRowGrain = 64

// Gemm sets c = alpha*op(a)*op(b) + beta*c for row-major matrices; with
// beta == 0, c is not read. It panics when a buffer is too short.
func (b *Backend) Gemm(transA, transB bool, m, n, k int, alpha float32, a, bb autograd.Buffer, beta float32, c autograd.Buffer) {
	defer b.narrow(c, max(m*n, 0), &a, &bb)()
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("cpu: Gemm: negative size m=%d n=%d k=%d", m, n, k))
	}
	av, bv, cv := floats(a), floats(bb), floats(c)
	mustAtLeast("Gemm a", len(av), m*k)
	mustAtLeast("Gemm b", len(bv), k*n)
	mustAtLeast("Gemm c", len(cv), m*n)
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		scaleRows(m, n, beta, cv, n)
		return
	}
	lda, ldb := k, n
	if transA {
		lda = m
	}
	if transB {
		ldb = k
	}
	// Workers take bands of rows of c, each computed whole along k, so the
	// result does not depend on the split.
	b.parallelFor(m, gemmRowGrain, func(lo, hi int) {
		aOff := lo * lda
		if transA {
			aOff = lo
		}
		sgemm(transA, transB, hi-lo, n, k, alpha, av[aOff:], lda, bv, ldb, beta, cv[lo*n:], n)
	})
}

// scaleRows sets c = beta*c over an (m, n) block, writing zeros without
// reading c when beta == 0.
func scaleRows(m, n int, beta float32, c []float32, ldc int) {
	for i := range m {
		row := c[i*ldc:][:n]
		for j := range row {
			if beta == 0 {
				row[j] = 0
			} else {
				row[j] *= beta
			}
		}
	}
}
