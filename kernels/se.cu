// Squeeze-and-excitation: the squeeze (global average pool) and the
// excite-scale (the per-channel scaling), forward and backward.
// x: (n, hw, c); s: (n, c). x, and the squeeze's output, may be activations
// stored in bfloat16 (the _bf16 kernels); s, the sums and the gradients
// are fp32.
#include "bf16.cuh"

// channel_sums sets out[img, ch] = scale * sum over i of a[img, i, ch]
// (times b[img, i, ch] when b is not null), summed in float64 in a fixed
// order. Grid (ceil(c/COLS_X), n), block (COLS_X, COLS_Y).
template <class A, class B, class Y>
__device__ void channel_sums(const A* a, const B* b, i64 hw, i64 c, double scale, Y* out) {
	i64 ch = (i64)blockIdx.x * COLS_X + threadIdx.x, img = blockIdx.y;
	const A* ai = a + img * hw * c;
	const B* bi = b ? b + img * hw * c : nullptr;
	double acc[1];
	column_reduce<1>(0, hw, [=](i64 r, double* t) {
		if (ch < c) t[0] += bi ? (double)ld(ai, r * c + ch) * ld(bi, r * c + ch) : (double)ld(ai, r * c + ch);
	}, acc);
	if (threadIdx.y == 0 && ch < c) st(out, img * c + ch, (float)(acc[0] * scale));
}

// channel_sums_f32 is channel_sums of fp32: the squeeze of fp32
// activations, and ScaleChannelsBackward's ds (a = dy, b = x).
extern "C" __global__ void channel_sums_f32(const float* a, const float* b, i64 hw, i64 c, double scale, float* out) {
	channel_sums(a, b, hw, c, scale, out);
}

// global_avg_pool_bf16 is the squeeze of bf16 activations, into bf16.
extern "C" __global__ void global_avg_pool_bf16(const bf16* x, i64 hw, i64 c, double scale, bf16* out) {
	channel_sums(x, (const bf16*)nullptr, hw, c, scale, out);
}

// scale_channels_sums_bf16 is ScaleChannelsBackward's ds of bf16 x:
// sums of dy (fp32) times x.
extern "C" __global__ void scale_channels_sums_bf16(const float* dy, const bf16* x, i64 hw, i64 c, double scale,
                                                     float* out) {
	channel_sums(dy, x, hw, c, scale, out);
}

// scale_channels sets y[img, i, ch] = x[img, i, ch] * s[img, ch].
template <class X>
__device__ void scale_channels(const X* x, const float* s, X* y, i64 hw, i64 c, i64 n) {
	GRID_STRIDE(i, n * hw * c) {
		i64 ch = i % c, img = i / (hw * c);
		st(y, i, ld(x, i) * s[img * c + ch]);
	}
}
#define SCALE_CHANNELS_PARAMS(X) (const X* x, const float* s, X* y, i64 hw, i64 c, i64 n)
BOTH_DTYPES(scale_channels, SCALE_CHANNELS_PARAMS, (x, s, y, hw, c, n))

// global_avg_pool_backward_f32 sets dx[img, i, ch] = dy[img, ch] / hw.
extern "C" __global__ void global_avg_pool_backward_f32(const float* dy, float* dx, i64 n, i64 hw, i64 c) {
	float inv = 1.f / (float)hw;
	GRID_STRIDE(i, n * hw * c) {
		i64 ch = i % c, img = i / (hw * c);
		dx[i] = dy[img * c + ch] * inv;
	}
}
