// Whole-buffer reductions (sum, sum of squares for the global gradient
// norm) in two deterministic steps: a fixed grid of blocks writes float64
// partial sums, then one block adds them with a fixed tree.
#include "common.cuh"

extern "C" __global__ void sum_partial_f32(const float* x, i64 n, i64 squares, double* partial) {
	double s = 0;
	GRID_STRIDE(i, n) {
		double v = x[i];
		s += squares ? v * v : v;
	}
	s = block_sum(s);
	if (threadIdx.x == 0) partial[blockIdx.x] = s;
}

extern "C" __global__ void sum_finish_f32(const double* partial, i64 blocks, float* y) {
	double s = 0;
	for (i64 b = threadIdx.x; b < blocks; b += blockDim.x) s += partial[b];
	s = block_sum(s);
	if (threadIdx.x == 0) y[0] = (float)s;
}
