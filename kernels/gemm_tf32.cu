// Products on tensor cores in TF32 with fp32 accumulation (the numerics of
// cpu.Backend's Gemm at autograd.TF32): operands rounded to TF32 (to
// nearest even) as they are loaded, fp32 sums, the result rounded to
// TF32.
#include "mma_pipe.cuh"

// gemm_tf32_f32 is C = A*B, A (M, K), B (K, N) and C (M, N) row-major fp32,
// M, N and K multiples of 16, 8 and 8, one warp per block over a grid of
// (N/8, M/16) blocks; block (x, y) computes rows [16y, 16y+16) and columns
// [8x, 8x+8) of C with mma_tf32_m16n8k8, its fragments read straight from
// global memory. Simple rather than fast: it checks mma.cuh's TF32
// layouts end to end.
extern "C" __global__ void __launch_bounds__(32) gemm_tf32_f32(const float* a, const float* b, float* c, i64 n, i64 k) {
	int lane = threadIdx.x, g = lane / 4, t = lane % 4;
	i64 row = (i64)blockIdx.y * 16 + g, col = (i64)blockIdx.x * 8;
	float acc[4] = {0.f, 0.f, 0.f, 0.f};
	for (i64 k0 = 0; k0 < k; k0 += 8) {
		// a0..a3: A[g][t], A[g+8][t], A[g][t+4], A[g+8][t+4]; b0, b1: B[t][g], B[t+4][g].
		const float* ak = a + row * k + k0 + t;
		const float* bk = b + (k0 + t) * n + col + g;
		unsigned af[4] = {tf32_bits(ak[0]), tf32_bits(ak[8 * k]), tf32_bits(ak[4]), tf32_bits(ak[8 * k + 4])};
		unsigned bf[2] = {tf32_bits(bk[0]), tf32_bits(bk[4 * n])};
		mma_tf32_m16n8k8(acc, af, bf, acc);
	}
	// c0, c1: C[g][2t], C[g][2t+1]; c2, c3: the same of row g+8.
	float* cg = c + row * n + col + 2 * t;
	cg[0] = tf32_round(acc[0]);
	cg[1] = tf32_round(acc[1]);
	cg[8 * n] = tf32_round(acc[2]);
	cg[8 * n + 1] = tf32_round(acc[3]);
}

// gemm_tf32_<op(A)><op(B)>_f32 are gemm.cu's batched, split products
// (GEMM_PARAMS) on mma_tile.cuh's TF32Tile; a split's partial products
// stay fp32.
GEMM_KERNEL(gemm_tf32_nn_f32, TF32Tile, false, false)
GEMM_KERNEL(gemm_tf32_nt_f32, TF32Tile, false, true)
GEMM_KERNEL(gemm_tf32_tn_f32, TF32Tile, true, false)
GEMM_KERNEL(gemm_tf32_tt_f32, TF32Tile, true, true)
// gemm_tf32_<op(A)><op(B)>_tall_f32 are the same on the 128x64 TF32Tall.
GEMM_KERNEL(gemm_tf32_nn_tall_f32, TF32Tall, false, false)
GEMM_KERNEL(gemm_tf32_nt_tall_f32, TF32Tall, false, true)
GEMM_KERNEL(gemm_tf32_tn_tall_f32, TF32Tall, true, false)
GEMM_KERNEL(gemm_tf32_tt_tall_f32, TF32Tall, true, true)
// gemm_tf32_<op(A)><op(B)>[_tall]_pipe_f32 are the same on mma_pipe.cuh's
// cp.async pipeline, for operands whose rows are 16-byte aligned.
GEMM_PIPE_KERNEL(gemm_tf32_nn_pipe_f32, TF32Tile, false, false)
GEMM_PIPE_KERNEL(gemm_tf32_nt_pipe_f32, TF32Tile, false, true)
GEMM_PIPE_KERNEL(gemm_tf32_tn_pipe_f32, TF32Tile, true, false)
GEMM_PIPE_KERNEL(gemm_tf32_tt_pipe_f32, TF32Tile, true, true)
GEMM_PIPE_KERNEL(gemm_tf32_nn_tall_pipe_f32, TF32Tall, false, false)
GEMM_PIPE_KERNEL(gemm_tf32_nt_tall_pipe_f32, TF32Tall, false, true)
GEMM_PIPE_KERNEL(gemm_tf32_tn_tall_pipe_f32, TF32Tall, true, false)
GEMM_PIPE_KERNEL(gemm_tf32_tt_tall_pipe_f32, TF32Tall, true, true)

// sum_splits_tf32_f32 is sum_splits_f32 with the result rounded to TF32:
// it finishes the split products above and conv_tf32.cu's split filter
// gradients.
extern "C" __global__ void sum_splits_tf32_f32(SUM_SPLITS_PARAMS) { sum_splits(SUM_SPLITS_ARGS, tf32_round); }

// round_tf32_f32 sets dst = src rounded to TF32 (to nearest even), n
// elements; dst may be src. It narrows the operands and results of
// depthwise convolutions at tf32.
extern "C" __global__ void round_tf32_f32(float* dst, const float* src, i64 n) {
	GRID_STRIDE(i, n) dst[i] = tf32_round(src[i]);
}
