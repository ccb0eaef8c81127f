// Squeeze-and-excitation: the squeeze (global average pool) and the
// excite-scale (the per-channel scaling), forward and backward.
// x: (n, hw, c); s: (n, c).
#include "common.cuh"

// channel_sums_f32 sets out[img, ch] = scale * sum over i of
// a[img, i, ch] (times b[img, i, ch] when b is not null), summed in
// float64 in a fixed order. Grid (ceil(c/COLS_X), n), block
// (COLS_X, COLS_Y).
extern "C" __global__ void channel_sums_f32(const float* a, const float* b, i64 hw, i64 c, double scale, float* out) {
	i64 ch = (i64)blockIdx.x * COLS_X + threadIdx.x, img = blockIdx.y;
	const float* ai = a + img * hw * c;
	const float* bi = b ? b + img * hw * c : nullptr;
	double acc[1];
	column_reduce<1>(0, hw, [=](i64 r, double* t) {
		if (ch < c) t[0] += bi ? (double)ai[r * c + ch] * bi[r * c + ch] : (double)ai[r * c + ch];
	}, acc);
	if (threadIdx.y == 0 && ch < c) out[img * c + ch] = (float)(acc[0] * scale);
}

// scale_channels_f32 sets y[img, i, ch] = x[img, i, ch] * s[img, ch].
extern "C" __global__ void scale_channels_f32(const float* x, const float* s, float* y, i64 hw, i64 c, i64 n) {
	GRID_STRIDE(i, n * hw * c) {
		i64 ch = i % c, img = i / (hw * c);
		y[i] = x[i] * s[img * c + ch];
	}
}

// global_avg_pool_backward_f32 sets dx[img, i, ch] = dy[img, ch] / hw.
extern "C" __global__ void global_avg_pool_backward_f32(const float* dy, float* dx, i64 n, i64 hw, i64 c) {
	float inv = 1.f / (float)hw;
	GRID_STRIDE(i, n * hw * c) {
		i64 ch = i % c, img = i / (hw * c);
		dx[i] = dy[img * c + ch] * inv;
	}
}
