// The first tensor-core kernel: C = A*B in bf16 with fp32 accumulation
// (the numerics of cpu.Backend's Gemm at autograd.BF16), A (M, K) and B
// (K, N) row-major fp32 rounded to bf16 as they are loaded, C (M, N)
// row-major fp32 holding the sums rounded to bf16. One warp computes one
// 16x8 tile of C with mma_bf16_m16n8k16: it stages each 16x16 tile of A in
// shared memory as bf16 and loads its fragments with ldmatrix_x4, and
// loads B's fragments straight from global memory. M, N and K must be
// multiples of 16, 8 and 16. Simple rather than fast: it checks mma.cuh
// end to end. The tiled kernels the backend launches follow it.
#include "mma_pipe.cuh"

// gemm_bf16_f32 runs one warp per block over a grid of (N/8, M/16)
// blocks; block (x, y) computes rows [16y, 16y+16) and columns [8x, 8x+8)
// of C.
extern "C" __global__ void __launch_bounds__(32) gemm_bf16_f32(const float* a, const float* b, float* c, i64 n, i64 k) {
	// A's tile in bf16, two to a word: row r holds columns 2j, 2j+1 in word j.
	__shared__ __align__(16) unsigned as[16][8];
	int lane = threadIdx.x;
	// Each lane stages 8 elements of A's tile: row lane/2, columns
	// 8*(lane%2) to 8*(lane%2)+7.
	const float* al = a + ((i64)blockIdx.y * 16 + lane / 2) * k + 8 * (lane % 2);
	unsigned* sl = &as[lane / 2][4 * (lane % 2)];
	// The lane's place in B's and C's fragments: groupID and threadID_in_group.
	int g = lane / 4, t = lane % 4;
	i64 row = (i64)blockIdx.y * 16 + g, col = (i64)blockIdx.x * 8;
	// b0, b1: B[2t][g], B[2t+1][g]; b2, b3: B[2t+8][g], B[2t+9][g].
	const float* bt = b + 2 * t * n + col + g;
	float acc[4] = {0.f, 0.f, 0.f, 0.f};
	for (i64 k0 = 0; k0 < k; k0 += 16) {
		for (int j = 0; j < 4; j++) sl[j] = pack_bf16x2(al[k0 + 2 * j], al[k0 + 2 * j + 1]);
		__syncthreads();
		// Lanes 0-7 give rows 0-7 of columns 0-7 (a0, a1), lanes 8-15 rows
		// 8-15 (a2, a3), lanes 16-31 the same of columns 8-15 (a4..a7).
		unsigned af[4];
		ldmatrix_x4(af, &as[lane % 16][4 * (lane / 16)]);
		const float* bk = bt + k0 * n;
		unsigned bf[2] = {pack_bf16x2(bk[0], bk[n]), pack_bf16x2(bk[8 * n], bk[9 * n])};
		mma_bf16_m16n8k16(acc, af, bf, acc);
		__syncthreads(); // every lane has read the tile before it is overwritten
	}
	// c0, c1: C[g][2t], C[g][2t+1]; c2, c3: the same of row g+8.
	float* cg = c + row * n + col + 2 * t;
	cg[0] = bf16_round(acc[0]);
	cg[1] = bf16_round(acc[1]);
	cg[8 * n] = bf16_round(acc[2]);
	cg[8 * n + 1] = bf16_round(acc[3]);
}

// gemm_bf16_<op(A)><op(B)>_f32 are gemm.cu's batched, split products
// (GEMM_PARAMS: C = alpha*op(A)*op(B) + beta*C) on mma_tile.cuh's
// BF16Tile: operands rounded to bf16 as they are loaded, fp32 sums, the
// result rounded to bf16; a split's partial products stay fp32.
GEMM_KERNEL(gemm_bf16_nn_f32, BF16Tile, false, false)
GEMM_KERNEL(gemm_bf16_nt_f32, BF16Tile, false, true)
GEMM_KERNEL(gemm_bf16_tn_f32, BF16Tile, true, false)
GEMM_KERNEL(gemm_bf16_tt_f32, BF16Tile, true, true)
// gemm_bf16_<op(A)><op(B)>_tall_f32 are the same on the 128x64 BF16Tall.
GEMM_KERNEL(gemm_bf16_nn_tall_f32, BF16Tall, false, false)
GEMM_KERNEL(gemm_bf16_nt_tall_f32, BF16Tall, false, true)
GEMM_KERNEL(gemm_bf16_tn_tall_f32, BF16Tall, true, false)
GEMM_KERNEL(gemm_bf16_tt_tall_f32, BF16Tall, true, true)
// gemm_bf16_<op(A)><op(B)>[_tall]_pipe_f32 are the same on mma_pipe.cuh's
// cp.async pipeline, for operands whose rows are 16-byte aligned.
GEMM_PIPE_KERNEL(gemm_bf16_nn_pipe_f32, BF16Tile, false, false)
GEMM_PIPE_KERNEL(gemm_bf16_nt_pipe_f32, BF16Tile, false, true)
GEMM_PIPE_KERNEL(gemm_bf16_tn_pipe_f32, BF16Tile, true, false)
GEMM_PIPE_KERNEL(gemm_bf16_tt_pipe_f32, BF16Tile, true, true)
GEMM_PIPE_KERNEL(gemm_bf16_nn_tall_pipe_f32, BF16Tall, false, false)
GEMM_PIPE_KERNEL(gemm_bf16_nt_tall_pipe_f32, BF16Tall, false, true)
GEMM_PIPE_KERNEL(gemm_bf16_tn_tall_pipe_f32, BF16Tall, true, false)
GEMM_PIPE_KERNEL(gemm_bf16_tt_tall_pipe_f32, BF16Tall, true, true)

// copy_async_f32 checks cp_async.cuh end to end: one block of 64 threads
// fills 256 floats of shared memory with 1e30, then copies src's first n
// elements over them, thread i the 16 bytes at src + 4i, of which it
// reads only those below n (cp_async16's src-size) and zero-fills the
// rest, in two groups (threads below 32, then the others) waited for one
// at a time, then writes the shared memory to dst: dst[i] = src[i] for
// i < n, else 0.
extern "C" __global__ void __launch_bounds__(64) copy_async_f32(float* dst, const float* src, i64 n) {
	__shared__ __align__(16) float s[256];
	int i = threadIdx.x, left = (int)min(max(n - 4 * i, (i64)0), (i64)4);
	for (int j = i; j < 256; j += 64) s[j] = 1e30f;
	__syncthreads();
	if (i < 32) cp_async16(s + 4 * i, left ? src + 4 * i : src, 4 * left);
	cp_async_commit();
	if (i >= 32) cp_async16(s + 4 * i, left ? src + 4 * i : src, 4 * left);
	cp_async_commit();
	cp_async_wait<1>();
	__syncthreads();
	for (int j = i; j < 128; j += 64) dst[j] = s[j];
	cp_async_wait<0>();
	__syncthreads();
	for (int j = 128 + i; j < 256; j += 64) dst[j] = s[j];
}

// sum_splits_bf16_f32 is sum_splits_f32 with the result rounded to bf16:
// it finishes the split products above and conv_bf16.cu's split filter
// gradients.
extern "C" __global__ void sum_splits_bf16_f32(SUM_SPLITS_PARAMS) { sum_splits(SUM_SPLITS_ARGS, bf16_round); }

// round_bf16_f32 sets dst = src rounded to bf16 (to nearest even), n
// elements; dst may be src. It narrows the operands and the results of the
// kernels with no tensor-core form (depthwise convolutions) at bf16.
extern "C" __global__ void round_bf16_f32(float* dst, const float* src, i64 n) {
	GRID_STRIDE(i, n) dst[i] = bf16_round(src[i]);
}

// f32_to_bf16 stores src rounded to bf16 (to nearest even, NaN as 0x7fff)
// in dst's 16-bit elements, n of them: the activations a device keeps in
// bf16 (autograd's Device.SetActivationDType). bf16_to_f32 widens them
// back, exactly.
extern "C" __global__ void f32_to_bf16(bf16* dst, const float* src, i64 n) {
	GRID_STRIDE(i, n) st(dst, i, src[i]);
}

extern "C" __global__ void bf16_to_f32(float* dst, const bf16* src, i64 n) {
	GRID_STRIDE(i, n) dst[i] = ld(src, i);
}
