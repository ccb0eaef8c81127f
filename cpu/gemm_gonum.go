//go:build !openblas

package cpu

import (
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// fastSgemm, when set (amd64 with AVX2 and FMA), replaces gonum's Sgemm.
var fastSgemm func(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int)

// sgemm is the one matrix-multiply primitive the backend's kernels use:
// c = alpha*op(a)*op(b) + beta*c on row-major matrices with leading
// dimensions, c not read when beta == 0; m, n, k >= 1 (Gemm handles the
// empty cases). This build has no cgo: it uses
// the assembly micro-kernel where the CPU has one, else gonum's pure-Go
// BLAS, which splits large products over GOMAXPROCS goroutines itself and
// sums each output block along k in a fixed order, so it is deterministic.
func sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	if fastSgemm != nil {
		fastSgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	gonum.Implementation{}.Sgemm(trans(transA), trans(transB), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

func trans(t bool) blas.Transpose {
	if t {
		return blas.Trans
	}
	return blas.NoTrans
}
