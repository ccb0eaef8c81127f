// Batch normalisation over (M, C) rows of NHWC activations: training
// statistics, inference, backward, running statistics.
//
// Reductions run in two deterministic steps: a (ceil(C/COLS_X), splits)
// grid of (COLS_X, COLS_Y) blocks writes float64 partial sums per band of
// rows, then one thread per channel adds the bands in order and derives
// the per-channel coefficients that a last elementwise pass applies.
//
// Each kernel that reads or writes activations (x, the residual, y) comes
// in two forms: _f32 and _bf16, for activations stored in bfloat16 (all of
// one call's in one dtype), read and written through bf16.cuh's ld and st;
// the arithmetic is fp32 (and float64 sums) in both, the gradients fp32.
#include "bf16.cuh"

// bn_stats_partial sums, per channel, d = x - x[0, c] and d^2 over its
// band: the shifted-data algorithm, stable when the mean is large against
// the spread. partial: (splits, 2, C).
template <class X>
__device__ void bn_stats_partial(const X* x, i64 m, i64 c, double* partial) {
	i64 ch = (i64)blockIdx.x * COLS_X + threadIdx.x;
	i64 splits = gridDim.y, k = blockIdx.y;
	double ref = ch < c ? ld(x, ch) : 0;
	double acc[2];
	column_reduce<2>(k * m / splits, (k + 1) * m / splits, [=](i64 r, double* a) {
		if (ch < c) {
			double d = (double)ld(x, r * c + ch) - ref;
			a[0] += d;
			a[1] += d * d;
		}
	}, acc);
	if (threadIdx.y == 0 && ch < c) {
		partial[(k * 2) * c + ch] = acc[0];
		partial[(k * 2 + 1) * c + ch] = acc[1];
	}
}
#define BN_STATS_PARTIAL_PARAMS(X) (const X* x, i64 m, i64 c, double* partial)
BOTH_DTYPES(bn_stats_partial, BN_STATS_PARTIAL_PARAMS, (x, m, c, partial))

// bn_stats_finish sets mean, invStd and the affine coefficients
// scale = gamma*invStd, shift = beta - mean*scale.
template <class X>
__device__ void bn_stats_finish(const double* partial, i64 splits, const X* x, i64 m, i64 c, float eps,
                                const float* gamma, const float* beta, float* mean, float* invStd, float* scale,
                                float* shift) {
	GRID_STRIDE(ch, c) {
		double s = 0, q = 0;
		for (i64 k = 0; k < splits; k++) {
			s += partial[(k * 2) * c + ch];
			q += partial[(k * 2 + 1) * c + ch];
		}
		double d = s / (double)m;
		double variance = fmax(q / (double)m - d * d, 0.0);
		double mu = (double)ld(x, ch) + d;
		double inv = 1.0 / sqrt(variance + (double)eps);
		mean[ch] = (float)mu;
		invStd[ch] = (float)inv;
		double sc = (double)gamma[ch] * inv;
		scale[ch] = (float)sc;
		shift[ch] = (float)((double)beta[ch] - mu * sc);
	}
}
#define BN_STATS_FINISH_PARAMS(X)                                                                                   \
	(const double* partial, i64 splits, const X* x, i64 m, i64 c, float eps, const float* gamma, const float* beta, \
	 float* mean, float* invStd, float* scale, float* shift)
BOTH_DTYPES(bn_stats_finish, BN_STATS_FINISH_PARAMS, (partial, splits, x, m, c, eps, gamma, beta, mean, invStd, scale, shift))

// bn_infer_coeffs_f32 derives scale and shift from the running statistics.
extern "C" __global__ void bn_infer_coeffs_f32(const float* gamma, const float* beta, const float* runMean,
                                               const float* runVar, float eps, i64 c, float* scale, float* shift) {
	GRID_STRIDE(ch, c) {
		double inv = 1.0 / sqrt((double)runVar[ch] + (double)eps);
		double sc = (double)gamma[ch] * inv;
		scale[ch] = (float)sc;
		shift[ch] = (float)((double)beta[ch] - (double)runMean[ch] * sc);
	}
}

// relu_gate returns dy where y > 0 and dy * 0 elsewhere: the fused ReLU's
// gradient as activation_backward_f32 forms it (y > 0 exactly where the
// ReLU's input is).
template <class X>
__device__ __forceinline__ float relu_gate(const X* y, i64 i, float dy) {
	return y ? act_derivative(ACT_RELU, ld(y, i), ld(y, i)) * dy : dy;
}

// affine_rows sets y[r, ch] = x[r, ch]*scale[ch] + shift[ch], then
// adds res[r, ch] (when res is not null, one rounding, as add_f32) and,
// with relu, applies ReLU as activation_f32 does: batch norm's apply, the
// residual add and the ReLU in one pass.
template <class X>
__device__ void affine_rows(const X* x, const float* scale, const float* shift, const X* res, i64 relu, X* y, i64 m,
                            i64 c) {
	GRID_STRIDE(i, m * c) {
		i64 ch = i % c;
		float v = ld(x, i) * scale[ch] + shift[ch];
		if (res) v += ld(res, i); // the product went into the line above's fma
		st(y, i, relu ? act_forward(ACT_RELU, v) : v);
	}
}
#define AFFINE_ROWS_PARAMS(X) \
	(const X* x, const float* scale, const float* shift, const X* res, i64 relu, X* y, i64 m, i64 c)
BOTH_DTYPES(affine_rows, AFFINE_ROWS_PARAMS, (x, scale, shift, res, relu, y, m, c))

// bn_backward_partial sums, per channel, dy and dy*(x - mean) over its
// band, dy masked to where y > 0 when y (the fused ReLU's output) is not
// null. partial: (splits, 2, C).
template <class X>
__device__ void bn_backward_partial(const X* x, const X* y, const float* dy, const float* mean, i64 m, i64 c,
                                    double* partial) {
	i64 ch = (i64)blockIdx.x * COLS_X + threadIdx.x;
	i64 splits = gridDim.y, k = blockIdx.y;
	float mu = ch < c ? mean[ch] : 0.f;
	double acc[2];
	column_reduce<2>(k * m / splits, (k + 1) * m / splits, [=](i64 r, double* a) {
		if (ch < c) {
			double g = relu_gate(y, r * c + ch, dy[r * c + ch]);
			a[0] += g;
			a[1] += g * (double)(ld(x, r * c + ch) - mu);
		}
	}, acc);
	if (threadIdx.y == 0 && ch < c) {
		partial[(k * 2) * c + ch] = acc[0];
		partial[(k * 2 + 1) * c + ch] = acc[1];
	}
}
#define BN_BACKWARD_PARTIAL_PARAMS(X) \
	(const X* x, const X* y, const float* dy, const float* mean, i64 m, i64 c, double* partial)
BOTH_DTYPES(bn_backward_partial, BN_BACKWARD_PARTIAL_PARAMS, (x, y, dy, mean, m, c, partial))

// bn_backward_finish_f32 sets dbeta, dgamma and the coefficients of
// dx = scale*dy - k*(x - mean) - off (k and off are zero without batch
// statistics). coef: (3, C) holding scale, k, off.
extern "C" __global__ void bn_backward_finish_f32(const double* partial, i64 splits, i64 m, i64 c, i64 batchStats,
                                                  const float* gamma, const float* invStd, float* dgamma,
                                                  float* dbeta, float* coef) {
	GRID_STRIDE(ch, c) {
		double sdy = 0, sdyx = 0;
		for (i64 k = 0; k < splits; k++) {
			sdy += partial[(k * 2) * c + ch];
			sdyx += partial[(k * 2 + 1) * c + ch];
		}
		double is = invStd[ch], inv = 1.0 / (double)m;
		dbeta[ch] = (float)sdy;
		dgamma[ch] = (float)(sdyx * is);
		double s = (double)gamma[ch] * is;
		coef[ch] = (float)s;
		coef[c + ch] = batchStats ? (float)(s * is * is * sdyx * inv) : 0.f;
		coef[2 * c + ch] = batchStats ? (float)(s * sdy * inv) : 0.f;
	}
}

// bn_backward_apply sets dx from bn_backward_finish_f32's
// coefficients, dy masked as in bn_backward_partial; dres, when not
// null, receives the masked dy (the residual's gradient).
template <class X>
__device__ void bn_backward_apply(const X* x, const X* y, const float* dy, const float* mean, const float* coef,
                                  float* dx, float* dres, i64 m, i64 c) {
	GRID_STRIDE(i, m * c) {
		i64 ch = i % c;
		float g = relu_gate(y, i, dy[i]);
		if (dres) dres[i] = g;
		dx[i] = g * coef[ch] - (ld(x, i) - mean[ch]) * coef[c + ch] - coef[2 * c + ch];
	}
}
#define BN_BACKWARD_APPLY_PARAMS(X)                                                                        \
	(const X* x, const X* y, const float* dy, const float* mean, const float* coef, float* dx, float* dres, \
	 i64 m, i64 c)
BOTH_DTYPES(bn_backward_apply, BN_BACKWARD_APPLY_PARAMS, (x, y, dy, mean, coef, dx, dres, m, c))

// bn_update_running_f32 blends the batch statistics into the running ones
// with the unbiased variance recovered from invStd.
extern "C" __global__ void bn_update_running_f32(const float* mean, const float* invStd, float* runMean,
                                                 float* runVar, i64 m, i64 c, float eps, float momentum) {
	GRID_STRIDE(ch, c) {
		double mom = momentum, is = invStd[ch];
		double variance = fmax(1.0 / (is * is) - (double)eps, 0.0) * ((double)m / (double)(m - 1));
		runMean[ch] = (float)((1 - mom) * (double)runMean[ch] + mom * (double)mean[ch]);
		runVar[ch] = (float)((1 - mom) * (double)runVar[ch] + mom * variance);
	}
}

extern "C" __global__ void running_inv_std_f32(const float* runVar, float* invStd, i64 c, float eps) {
	GRID_STRIDE(ch, c) invStd[ch] = (float)(1.0 / sqrt((double)runVar[ch] + (double)eps));
}
