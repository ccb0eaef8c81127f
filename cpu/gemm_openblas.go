//go:build openblas

package cpu

/*
#cgo LDFLAGS: -lopenblas
#include <cblas.h>
*/
import "C"

// OpenBLAS runs single-threaded: the backend already splits every kernel
// over its workers, and nested OpenBLAS threads would oversubscribe the
// cores and make results depend on OpenBLAS's own split.
func init() { C.openblas_set_num_threads(1) }

// sgemm is the one matrix-multiply primitive the backend's kernels use:
// c = alpha*op(a)*op(b) + beta*c on row-major matrices with leading
// dimensions, c not read when beta == 0; m, n, k >= 1 (Gemm handles the
// empty cases). This build calls OpenBLAS.
func sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int) {
	C.cblas_sgemm(C.CblasRowMajor, cblasTrans(transA), cblasTrans(transB), C.blasint(m), C.blasint(n), C.blasint(k),
		C.float(alpha), (*C.float)(&a[0]), C.blasint(lda), (*C.float)(&b[0]), C.blasint(ldb),
		C.float(beta), (*C.float)(&c[0]), C.blasint(ldc))
}

func cblasTrans(t bool) C.enum_CBLAS_TRANSPOSE {
	if t {
		return C.CblasTrans
	}
	return C.CblasNoTrans
}
