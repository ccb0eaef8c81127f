// Elementwise kernels: fill, add, multiply, divide, square root, axpby,
// activations forward and backward. The binary ones move float4s (allocations are 256-byte
// aligned), with a scalar loop for the last n%4 elements.
#include "bf16.cuh"

template <class F>
__device__ void map1(const float* x, float* y, i64 n, F f) {
	i64 n4 = n / 4;
	const float4* x4 = (const float4*)x;
	float4* y4 = (float4*)y;
	GRID_STRIDE(i, n4) {
		float4 a = x4[i];
		y4[i] = make_float4(f(a.x, i * 4), f(a.y, i * 4 + 1), f(a.z, i * 4 + 2), f(a.w, i * 4 + 3));
	}
	GRID_STRIDE(j, n - n4 * 4) {
		i64 i = n4 * 4 + j;
		y[i] = f(x[i], i);
	}
}

template <class F>
__device__ void map2(const float* a, const float* b, float* y, i64 n, F f) {
	i64 n4 = n / 4;
	const float4 *a4 = (const float4*)a, *b4 = (const float4*)b;
	float4* y4 = (float4*)y;
	GRID_STRIDE(i, n4) {
		float4 u = a4[i], v = b4[i];
		y4[i] = make_float4(f(u.x, v.x), f(u.y, v.y), f(u.z, v.z), f(u.w, v.w));
	}
	GRID_STRIDE(j, n - n4 * 4) {
		i64 i = n4 * 4 + j;
		y[i] = f(a[i], b[i]);
	}
}

extern "C" __global__ void fill_f32(float* y, i64 n, float v) {
	i64 n4 = n / 4;
	GRID_STRIDE(i, n4)((float4*)y)[i] = make_float4(v, v, v, v);
	GRID_STRIDE(j, n - n4 * 4) y[n4 * 4 + j] = v;
}

extern "C" __global__ void add_f32(const float* a, const float* b, float* y, i64 n) {
	map2(a, b, y, n, [](float u, float v) { return u + v; });
}

extern "C" __global__ void mul_f32(const float* a, const float* b, float* y, i64 n) {
	map2(a, b, y, n, [](float u, float v) { return u * v; });
}

// div_f32 and sqrt_f32 round as IEEE 754 does (nvcc's default -prec-div and
// -prec-sqrt), bit for bit as the CPU backend.
extern "C" __global__ void div_f32(const float* a, const float* b, float* y, i64 n) {
	map2(a, b, y, n, [](float u, float v) { return u / v; });
}

extern "C" __global__ void sqrt_f32(const float* x, float* y, i64 n) {
	map1(x, y, n, [](float u, i64) { return sqrtf(u); });
}

// axpby_f32 sets y = alpha*x + beta*y; with beta == 0 y is only written,
// so a NaN there does not survive.
extern "C" __global__ void axpby_f32(float alpha, const float* x, float beta, float* y, i64 n) {
	if (beta == 0.f) {
		map1(x, y, n, [=](float u, i64) { return alpha * u; });
	} else {
		map2(x, y, y, n, [=](float u, float v) { return alpha * u + beta * v; });
	}
}

extern "C" __global__ void activation_f32(i64 kind, const float* x, float* y, i64 n) {
	map1(x, y, n, [=](float u, i64) { return act_forward(kind, u); });
}

// activation_backward_f32 sets dx = f'(x) * dy given y = f(x).
extern "C" __global__ void activation_backward_f32(i64 kind, const float* x, const float* y, const float* dy,
                                                   float* dx, i64 n) {
	GRID_STRIDE(i, n) dx[i] = act_derivative(kind, x[i], y[i]) * dy[i];
}

// add_bf16, activation_bf16 and activation_backward_bf16 are add_f32,
// activation_f32 and activation_backward_f32 on activations stored in
// bfloat16: each element widened, the fp32 result rounded once (the
// gradients stay fp32).
extern "C" __global__ void add_bf16(const bf16* a, const bf16* b, bf16* y, i64 n) {
	GRID_STRIDE(i, n) st(y, i, ld(a, i) + ld(b, i));
}

extern "C" __global__ void activation_bf16(i64 kind, const bf16* x, bf16* y, i64 n) {
	GRID_STRIDE(i, n) st(y, i, act_forward(kind, ld(x, i)));
}

extern "C" __global__ void activation_backward_bf16(i64 kind, const bf16* x, const bf16* y, const float* dy, float* dx,
                                                    i64 n) {
	GRID_STRIDE(i, n) dx[i] = act_derivative(kind, ld(x, i), ld(y, i)) * dy[i];
}
