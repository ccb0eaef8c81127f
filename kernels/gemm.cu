// Row-major SGEMM for linear layers and 1x1 convolutions:
// C = alpha * op(A) * op(B) + beta * C, op(A) (M, K), op(B) (K, N), in
// every combination of transposes, over a batch of matrices at fixed
// strides (the groups of a grouped 1x1 convolution), optionally split
// along K into partial products that sum_splits_f32 adds up in a fixed
// order (deterministic: no atomics).
#include "gemm_tile.cuh"

// gemm_tile computes one tile. gridDim.z = batch * splits; block z works
// on matrix z / splits and its split z % splits of K, [s*kchunk,
// min(k, (s+1)*kchunk)); kchunk is a multiple of BK. A split's partial
// product goes to c + s*ss.
template <class C, bool TA, bool TB>
__device__ __forceinline__ void gemm_tile(const float* a, i64 lda, i64 sa, const float* b, i64 ldb, i64 sb, float* c,
                                          i64 ldc, i64 sc, i64 ss, i64 m, i64 n, i64 k, i64 splits, i64 kchunk,
                                          float alpha, float beta) {
	i64 z = blockIdx.z, batch = z / splits, s = z % splits;
	i64 k0 = s * kchunk, kext = min(k - k0, kchunk);
	int row0 = blockIdx.x * C::BM, col0 = blockIdx.y * C::BN;
	// op(A) element (row, kk) and op(B) element (kk, col), as loader rows.
	Dense<C::BM, C::BK, C::T, !TA> la(a + batch * sa + (TA ? k0 * lda : k0), TA ? 1 : lda, TA ? lda : 1, (int)m,
	                                  (int)kext, row0);
	Dense<C::BN, C::BK, C::T, TB> lb(b + batch * sb + (TB ? k0 : k0 * ldb), TB ? ldb : 1, TB ? 1 : ldb, (int)n,
	                                 (int)kext, col0);
	Acc<C> acc;
	mainloop<C>(la, lb, (int)((kext + C::BK - 1) / C::BK), acc);
	store<C>(acc, c + batch * sc + s * ss, ldc, (int)m, (int)n, row0, col0, alpha, beta);
}

#define GEMM_PARAMS                                                                                                \
	const float *a, i64 lda, i64 sa, const float *b, i64 ldb, i64 sb, float *c, i64 ldc, i64 sc, i64 ss, i64 m, \
	    i64 n, i64 k, i64 splits, i64 kchunk, float alpha, float beta
#define GEMM_ARGS a, lda, sa, b, ldb, sb, c, ldc, sc, ss, m, n, k, splits, kchunk, alpha, beta

// sgemm_<op(A)><op(B)>_<tile>_f32: n = as stored, t = transposed.
#define GEMM_KERNEL(name, C, TA, TB) \
	extern "C" __global__ void __launch_bounds__(C::T) name(GEMM_PARAMS) { gemm_tile<C, TA, TB>(GEMM_ARGS); }

GEMM_KERNEL(sgemm_nn_big_f32, Big, false, false)
GEMM_KERNEL(sgemm_nt_big_f32, Big, false, true)
GEMM_KERNEL(sgemm_tn_big_f32, Big, true, false)
GEMM_KERNEL(sgemm_tt_big_f32, Big, true, true)
GEMM_KERNEL(sgemm_nn_small_f32, Small, false, false)
GEMM_KERNEL(sgemm_nt_small_f32, Small, false, true)
GEMM_KERNEL(sgemm_tn_small_f32, Small, true, false)
GEMM_KERNEL(sgemm_tt_small_f32, Small, true, true)

// sum_splits_f32 sets c = alpha * (sum over s of ws[b][s]) + beta * c for
// each of batch (m, n) matrices, adding the splits in order; c is not read
// when beta is 0. ws: (batch, splits, m, n); c: matrix b at c + b*sc, row
// stride ldc.
extern "C" __global__ void sum_splits_f32(const float* ws, i64 splits, i64 batch, i64 m, i64 n, float* c, i64 ldc,
                                          i64 sc, float alpha, float beta) {
	GRID_STRIDE(i, batch * m * n) {
		i64 col = i % n, row = (i / n) % m, b = i / (m * n);
		const float* w = ws + b * splits * m * n + row * n + col;
		float sum = 0.f;
		for (i64 s = 0; s < splits; s++) sum += w[s * m * n];
		float* p = c + b * sc + row * ldc + col;
		*p = beta == 0.f ? alpha * sum : alpha * sum + beta * *p;
	}
}
