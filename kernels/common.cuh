// Shared by every kernel file: index types, loops and block reductions.
//
// Every integer kernel parameter is a long long: the Go launcher backs each
// scalar argument with its own 8-byte slot, so 8-byte integers read exactly
// what was stored. Float parameters read the low 4 bytes of their slot.
#pragma once

typedef long long i64;

// GRID_STRIDE loops i over [0, n) across the whole grid.
#define GRID_STRIDE(i, n) \
	for (i64 i = (i64)blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += (i64)gridDim.x * blockDim.x)

// Activation kinds, in the order of autograd.Activation.
#define ACT_RELU 0
#define ACT_RELU6 1
#define ACT_SIGMOID 2
#define ACT_HARDSIGMOID 3
#define ACT_HARDSWISH 4
#define ACT_TANH 5

// relu6 keeps a NaN, as Go's min and max do on the CPU backend.
__device__ __forceinline__ float relu6(float x) { return x < 0.f ? 0.f : (x > 6.f ? 6.f : x); }

__device__ __forceinline__ float act_forward(i64 kind, float x) {
	switch (kind) {
	case ACT_RELU: return x < 0.f ? 0.f : x;
	case ACT_RELU6: return relu6(x);
	case ACT_SIGMOID: return 1.f / (1.f + expf(-x));
	case ACT_HARDSIGMOID: return relu6(x + 3.f) / 6.f;
	case ACT_HARDSWISH: return x * relu6(x + 3.f) / 6.f;
	case ACT_TANH: return tanhf(x);
	}
	return x;
}

// act_derivative returns f'(x) given x and y = f(x), taking PyTorch's side
// at the kinks like the CPU backend.
__device__ __forceinline__ float act_derivative(i64 kind, float x, float y) {
	switch (kind) {
	case ACT_RELU: return x > 0.f ? 1.f : 0.f;
	case ACT_RELU6: return (x > 0.f && x < 6.f) ? 1.f : 0.f;
	case ACT_SIGMOID: return y * (1.f - y);
	case ACT_HARDSIGMOID: return (x > -3.f && x < 3.f) ? 1.f / 6.f : 0.f;
	case ACT_HARDSWISH: return x < -3.f ? 0.f : (x <= 3.f ? (2.f * x + 3.f) / 6.f : 1.f);
	case ACT_TANH: return 1.f - y * y;
	}
	return 1.f;
}

// block_sum returns, in thread 0, the sum of v over a 1-D block of
// blockDim.x threads (a power of two, at most 1024). The tree has a fixed
// shape, so the result depends only on the inputs and the block size.
__device__ double block_sum(double v) {
	__shared__ double s[1024];
	s[threadIdx.x] = v;
	__syncthreads();
	for (unsigned w = blockDim.x / 2; w > 0; w >>= 1) {
		if (threadIdx.x < w) s[threadIdx.x] += s[threadIdx.x + w];
		__syncthreads();
	}
	return s[0];
}

// COLS_X by COLS_Y threads sum columns: a warp reads 32 consecutive
// channels of one row (coalesced), the COLS_Y warps take interleaved rows.
#define COLS_X 32
#define COLS_Y 8

// column_reduce adds into acc[0..K) the values f(r, col) for this thread's
// rows of [lo, hi), then sums the COLS_Y partial results of each column in
// a fixed order; thread row 0 receives the totals. Called with a
// (COLS_X, COLS_Y) block.
template <int K, class F>
__device__ void column_reduce(i64 lo, i64 hi, F f, double acc[K]) {
	__shared__ double s[K][COLS_Y][COLS_X];
	for (int k = 0; k < K; k++) acc[k] = 0;
	for (i64 r = lo + threadIdx.y; r < hi; r += COLS_Y) f(r, acc);
	for (int k = 0; k < K; k++) s[k][threadIdx.y][threadIdx.x] = acc[k];
	__syncthreads();
	if (threadIdx.y == 0) {
		for (int k = 0; k < K; k++) {
			double t = 0;
			for (int j = 0; j < COLS_Y; j++) t += s[k][j][threadIdx.x];
			acc[k] = t;
		}
	}
}
