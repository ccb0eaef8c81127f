// Local response normalisation across channels (AlexNet), forward and
// backward, one thread per element, window sums in float64.
#include "common.cuh"

// lrn_f32 sets scale = k + alpha/size * sum of x^2 over channels
// ch-size/2 .. ch+(size-1)/2 of the row and y = x * scale^-beta.
extern "C" __global__ void lrn_f32(const float* x, float* y, float* scale, i64 m, i64 c, i64 size, float alpha,
                                   float beta, float k) {
	double coef = (double)alpha / (double)size;
	GRID_STRIDE(i, m * c) {
		i64 ch = i % c, row = i - ch;
		i64 lo = max(ch - size / 2, (i64)0), hi = min(ch + (size - 1) / 2 + 1, c);
		double sq = 0;
		for (i64 j = lo; j < hi; j++) {
			double v = x[row + j];
			sq += v * v;
		}
		double s = (double)k + coef * sq;
		scale[i] = (float)s;
		y[i] = (float)((double)x[i] * pow(s, -(double)beta));
	}
}

// lrn_backward_f32 sets dx[j] = dy[j]*scale[j]^-beta - 2*alpha*beta/size *
// x[j] * sum of dy*y/scale over the channels whose window holds j.
extern "C" __global__ void lrn_backward_f32(const float* x, const float* y, const float* scale, const float* dy,
                                            float* dx, i64 m, i64 c, i64 size, float alpha, float beta) {
	double coef = 2.0 * (double)alpha * (double)beta / (double)size;
	GRID_STRIDE(i, m * c) {
		i64 ch = i % c, row = i - ch;
		i64 lo = max(ch - (size - 1) / 2, (i64)0), hi = min(ch + size / 2 + 1, c);
		double acc = 0;
		for (i64 j = lo; j < hi; j++) acc += (double)dy[row + j] * (double)y[row + j] / (double)scale[row + j];
		double s = scale[i];
		dx[i] = (float)((double)dy[i] * pow(s, -(double)beta) - coef * (double)x[i] * acc);
	}
}
