// Per-channel broadcasts and reductions over NHWC rows: bias add and its
// gradient (column sums), concat/split copies.
#include "bf16.cuh"

// add_bias_f32 sets y[r, c] = x[r, c] + b[c]. x, y: (rows, cols).
extern "C" __global__ void add_bias_f32(const float* x, const float* b, float* y, i64 rows, i64 cols) {
	GRID_STRIDE(i, rows * cols) y[i] = x[i] + b[i % cols];
}

// sum_rows_partial_f32 writes, for split blockIdx.y of `splits` bands of
// rows, the float64 column sums of its band to partial[split, col].
// With mask (rows, cols) not null, each x is first masked by mask > 0 as
// activation_backward_f32's ReLU masks it (the gradient of Conv2DBias's
// ReLU, mask its output), written to gated, and summed so; a null partial
// sums nothing. Grid (ceil(cols/COLS_X), splits), block (COLS_X, COLS_Y).
extern "C" __global__ void sum_rows_partial_f32(const float* x, const float* mask, float* gated, i64 rows,
                                                i64 cols, double* partial) {
	i64 col = (i64)blockIdx.x * COLS_X + threadIdx.x;
	i64 splits = gridDim.y, k = blockIdx.y;
	double acc[1];
	column_reduce<1>(k * rows / splits, (k + 1) * rows / splits, [=](i64 r, double* a) {
		if (col >= cols) return;
		float v = x[r * cols + col];
		if (mask) {
			float y = mask[r * cols + col];
			v = act_derivative(ACT_RELU, y, y) * v;
			gated[r * cols + col] = v;
		}
		a[0] += v;
	}, acc);
	if (partial && threadIdx.y == 0 && col < cols) partial[k * cols + col] = acc[0];
}

// sum_rows_finish_f32 adds the splits partial sums of each column in order.
extern "C" __global__ void sum_rows_finish_f32(const double* partial, i64 splits, i64 cols, float* y) {
	GRID_STRIDE(c, cols) {
		double s = 0;
		for (i64 k = 0; k < splits; k++) s += partial[k * cols + c];
		y[c] = (float)s;
	}
}

// copy_columns copies cols elements of each of rows rows from
// src[r*srcStride + srcOff] to dst[r*dstStride + dstOff]: _f32, and _bf16
// for activations stored in bfloat16 (copied as they are).
template <class X>
__device__ void copy_columns(const X* src, i64 srcStride, i64 srcOff, X* dst, i64 dstStride, i64 dstOff, i64 rows,
                             i64 cols) {
	GRID_STRIDE(i, rows * cols) {
		i64 r = i / cols, c = i - r * cols;
		dst[r * dstStride + dstOff + c] = src[r * srcStride + srcOff + c];
	}
}
#define COPY_COLUMNS_PARAMS(X) \
	(const X* src, i64 srcStride, i64 srcOff, X* dst, i64 dstStride, i64 dstOff, i64 rows, i64 cols)
BOTH_DTYPES(copy_columns, COPY_COLUMNS_PARAMS, (src, srcStride, srcOff, dst, dstStride, dstOff, rows, cols))
