// Depthwise convolution (each group reads one input channel: C/G == 1,
// K = mult*C, output channel k reading input channel k/mult), forward,
// backward-data and backward-filter, computed directly: as a GEMM it
// would reduce over only R*S taps. One thread per output element,
// channels fastest, so a warp reads consecutive channels. The backward
// passes gather instead of scattering: no atomics, every sum in one
// fixed order. The passes that read or write activations (the forward's x
// and y, the filter gradient's x) come in _f32 and _bf16 forms, for
// activations stored in bfloat16; sums and gradients are fp32 in both.
#include "bf16.cuh"
#include "conv.cuh"

template <class X>
__device__ void depthwise_forward(const X* x, const float* wt, X* y, CONV_PARAMS) {
	CONV_INIT;
	GRID_STRIDE(o, (i64)cv.n * cv.p * cv.q * cv.k) {
		int ko = o % cv.k;
		i64 t = o / cv.k;
		int oq = t % cv.q, op = (t / cv.q) % cv.p, img = t / ((i64)cv.q * cv.p);
		const X* xi = x + (i64)img * cv.h * cv.w * cv.c + ko / cv.kg;
		const float* wk = wt + (i64)ko * cv.r * cv.s;
		float sum = 0.f;
		for (int tr = 0; tr < cv.r; tr++) {
			int hh = op * cv.strideH - cv.padH + tr * cv.dilH;
			if (hh < 0 || hh >= cv.h) continue;
			for (int ts = 0; ts < cv.s; ts++) {
				int ww = oq * cv.strideW - cv.padW + ts * cv.dilW;
				if (ww >= 0 && ww < cv.w) sum = fmaf(ld(xi, ((i64)hh * cv.w + ww) * cv.c), wk[tr * cv.s + ts], sum);
			}
		}
		st(y, o, sum);
	}
}
#define DEPTHWISE_FORWARD_PARAMS(X) (const X* x, const float* wt, X* y, CONV_PARAMS)
BOTH_DTYPES(depthwise_forward, DEPTHWISE_FORWARD_PARAMS, (x, wt, y, CONV_ARGS))

// depthwise_backward_data_f32 sets dx[n, h, w, c] to the sum over the
// channel's mult filters and their taps of dy * w at the outputs that read
// (h, w).
extern "C" __global__ void depthwise_backward_data_f32(const float* dy, const float* wt, float* dx, CONV_PARAMS) {
	CONV_INIT;
	GRID_STRIDE(i, (i64)cv.n * cv.h * cv.w * cv.c) {
		int ci = i % cv.c;
		i64 t = i / cv.c;
		int ww = t % cv.w, hh = (t / cv.w) % cv.h, img = t / ((i64)cv.w * cv.h);
		const float* dyi = dy + (i64)img * cv.p * cv.q * cv.k;
		float sum = 0.f;
		for (int j = 0; j < cv.kg; j++) {
			int ko = ci * cv.kg + j;
			const float* wk = wt + (i64)ko * cv.r * cv.s;
			for (int tr = 0; tr < cv.r; tr++) {
				int ph = hh + cv.padH - tr * cv.dilH;
				if (ph < 0 || ph % cv.strideH != 0 || ph / cv.strideH >= cv.p) continue;
				for (int ts = 0; ts < cv.s; ts++) {
					int pw = ww + cv.padW - ts * cv.dilW;
					if (pw < 0 || pw % cv.strideW != 0 || pw / cv.strideW >= cv.q) continue;
					i64 o = ((i64)(ph / cv.strideH) * cv.q + pw / cv.strideW) * cv.k + ko;
					sum = fmaf(dyi[o], wk[tr * cv.s + ts], sum);
				}
			}
		}
		dx[i] = sum;
	}
}

// depthwise_backward_filter_partial sums, for tap blockIdx.z = r*S + s
// and output channel k, dy[m, k] * x[n, h, w, k/mult] over its band of the
// N*P*Q output pixels m, in float64. Grid (ceil(K/COLS_X), splits, R*S),
// block (COLS_X, COLS_Y). partial: (splits, K, R*S).
template <class X>
__device__ void depthwise_backward_filter_partial(const X* x, const float* dy, double* partial, CONV_PARAMS) {
	CONV_INIT;
	int ko = blockIdx.x * COLS_X + threadIdx.x, tap = blockIdx.z, tr = tap / cv.s, ts = tap % cv.s;
	i64 m = (i64)cv.n * cv.p * cv.q, splits = gridDim.y, band = blockIdx.y;
	double acc[1];
	column_reduce<1>(band * m / splits, (band + 1) * m / splits, [=](i64 row, double* a) {
		if (ko >= cv.k) return;
		int oq = row % cv.q, op = (row / cv.q) % cv.p, img = row / ((i64)cv.q * cv.p);
		int hh = op * cv.strideH - cv.padH + tr * cv.dilH, ww = oq * cv.strideW - cv.padW + ts * cv.dilW;
		if (hh < 0 || hh >= cv.h || ww < 0 || ww >= cv.w) return;
		float xv = ld(x, (((i64)img * cv.h + hh) * cv.w + ww) * cv.c + ko / cv.kg);
		a[0] += (double)dy[row * cv.k + ko] * xv;
	}, acc);
	if (threadIdx.y == 0 && ko < cv.k) partial[((i64)band * cv.k + ko) * cv.r * cv.s + tap] = acc[0];
}
#define DEPTHWISE_FILTER_PARAMS(X) (const X* x, const float* dy, double* partial, CONV_PARAMS)
BOTH_DTYPES(depthwise_backward_filter_partial, DEPTHWISE_FILTER_PARAMS, (x, dy, partial, CONV_ARGS))

// depthwise_backward_filter_finish_f32 sets dw (K, R, S) to the sum of the
// splits' partial sums, in split order.
extern "C" __global__ void depthwise_backward_filter_finish_f32(const double* partial, i64 splits, float* dw, i64 n) {
	GRID_STRIDE(i, n) {
		double sum = 0;
		for (i64 s = 0; s < splits; s++) sum += partial[s * n + i];
		dw[i] = (float)sum;
	}
}
