// Max, average and adaptive average pooling over NHWC, forward and
// backward. One thread per output (forward) or input (backward) element,
// channels fastest, so a warp reads consecutive channels. The backward
// kernels gather instead of scattering: no atomics, and every sum has one
// fixed order. The forward kernels come in _f32 and _bf16 forms, for
// activations stored in bfloat16 (x and y of one dtype; the sums are fp32
// in both, the gradients fp32).
#include "bf16.cuh"

struct Pool {
	i64 n, h, w, c, r, s, strideH, strideW, padH, padW, p, q;
};

__device__ __forceinline__ Pool pool(i64 n, i64 h, i64 w, i64 c, i64 r, i64 s, i64 strideH, i64 strideW, i64 padH,
                                     i64 padW, i64 p, i64 q) {
	Pool g = {n, h, w, c, r, s, strideH, strideW, padH, padW, p, q};
	return g;
}

// covering sets [lo, hi) to the output positions whose windows hold input
// position i along one axis.
__device__ __forceinline__ void covering(i64 i, i64 stride, i64 pad, i64 k, i64 out, i64* lo, i64* hi) {
	i64 first = i + pad - k + 1;
	*lo = first > 0 ? (first + stride - 1) / stride : 0;
	i64 h = (i + pad) / stride + 1;
	*hi = h < out ? h : out;
}

// avg_divisor returns the number of taps output o's average divides by
// along one axis: PyTorch's rule, as the CPU backend's avgDivisors.
__device__ __forceinline__ i64 avg_divisor(i64 o, i64 stride, i64 pad, i64 k, i64 in, i64 countPad) {
	i64 start = o * stride - pad;
	if (countPad) return min(start + k, in + pad) - start;
	return min(start + k, in) - max(start, (i64)0);
}

#define POOL_PARAMS i64 n, i64 h, i64 w, i64 c, i64 r, i64 s, i64 strideH, i64 strideW, i64 padH, i64 padW, i64 p, i64 q
#define POOL_ARGS n, h, w, c, r, s, strideH, strideW, padH, padW, p, q

// max_pool sets y to the window maxima and argmax to h*W + w of the
// first tap holding each (row-major window order); a NaN makes the
// maximum NaN with the window's first tap as argmax, like the CPU backend.
template <class X>
__device__ void max_pool(const X* x, X* y, int* argmax, POOL_PARAMS) {
	Pool g = pool(POOL_ARGS);
	GRID_STRIDE(o, g.n * g.p * g.q * g.c) {
		i64 ch = o % g.c, t = o / g.c, oq = t % g.q, op = (t / g.q) % g.p, img = t / (g.q * g.p);
		i64 h0 = max(op * g.strideH - g.padH, (i64)0), h1 = min(op * g.strideH - g.padH + g.r, g.h);
		i64 w0 = max(oq * g.strideW - g.padW, (i64)0), w1 = min(oq * g.strideW - g.padW + g.s, g.w);
		const X* xi = x + img * g.h * g.w * g.c + ch;
		float m = -INFINITY;
		i64 best = h0 * g.w + w0;
		for (i64 hh = h0; hh < h1; hh++) {
			for (i64 ww = w0; ww < w1; ww++) {
				float v = ld(xi, (hh * g.w + ww) * g.c);
				if (v != v) {
					if (m == m) best = h0 * g.w + w0;
					m = v;
				} else if (v > m && m == m) {
					m = v;
					best = hh * g.w + ww;
				}
			}
		}
		st(y, o, m);
		argmax[o] = (int)best;
	}
}
#define MAX_POOL_PARAMS(X) (const X* x, X* y, int* argmax, POOL_PARAMS)
BOTH_DTYPES(max_pool, MAX_POOL_PARAMS, (x, y, argmax, POOL_ARGS))

// max_pool_backward_f32 sets each dx element to the sum of the dy whose
// argmax points at it.
extern "C" __global__ void max_pool_backward_f32(const float* dy, const int* argmax, float* dx, POOL_PARAMS) {
	Pool g = pool(POOL_ARGS);
	GRID_STRIDE(i, g.n * g.h * g.w * g.c) {
		i64 ch = i % g.c, t = i / g.c, ww = t % g.w, hh = (t / g.w) % g.h, img = t / (g.w * g.h);
		i64 p0, p1, q0, q1;
		covering(hh, g.strideH, g.padH, g.r, g.p, &p0, &p1);
		covering(ww, g.strideW, g.padW, g.s, g.q, &q0, &q1);
		int at = (int)(hh * g.w + ww);
		float sum = 0;
		for (i64 op = p0; op < p1; op++) {
			for (i64 oq = q0; oq < q1; oq++) {
				i64 o = ((img * g.p + op) * g.q + oq) * g.c + ch;
				if (argmax[o] == at) sum += dy[o];
			}
		}
		dx[i] = sum;
	}
}

template <class X>
__device__ void avg_pool(const X* x, X* y, i64 countPad, POOL_PARAMS) {
	Pool g = pool(POOL_ARGS);
	GRID_STRIDE(o, g.n * g.p * g.q * g.c) {
		i64 ch = o % g.c, t = o / g.c, oq = t % g.q, op = (t / g.q) % g.p, img = t / (g.q * g.p);
		i64 h0 = max(op * g.strideH - g.padH, (i64)0), h1 = min(op * g.strideH - g.padH + g.r, g.h);
		i64 w0 = max(oq * g.strideW - g.padW, (i64)0), w1 = min(oq * g.strideW - g.padW + g.s, g.w);
		const X* xi = x + img * g.h * g.w * g.c + ch;
		float sum = 0;
		for (i64 hh = h0; hh < h1; hh++)
			for (i64 ww = w0; ww < w1; ww++) sum += ld(xi, (hh * g.w + ww) * g.c);
		i64 div = avg_divisor(op, g.strideH, g.padH, g.r, g.h, countPad) *
		          avg_divisor(oq, g.strideW, g.padW, g.s, g.w, countPad);
		st(y, o, sum * (1.f / (float)div));
	}
}
#define AVG_POOL_PARAMS(X) (const X* x, X* y, i64 countPad, POOL_PARAMS)
BOTH_DTYPES(avg_pool, AVG_POOL_PARAMS, (x, y, countPad, POOL_ARGS))

extern "C" __global__ void avg_pool_backward_f32(const float* dy, float* dx, i64 countPad, POOL_PARAMS) {
	Pool g = pool(POOL_ARGS);
	GRID_STRIDE(i, g.n * g.h * g.w * g.c) {
		i64 ch = i % g.c, t = i / g.c, ww = t % g.w, hh = (t / g.w) % g.h, img = t / (g.w * g.h);
		i64 p0, p1, q0, q1;
		covering(hh, g.strideH, g.padH, g.r, g.p, &p0, &p1);
		covering(ww, g.strideW, g.padW, g.s, g.q, &q0, &q1);
		float sum = 0;
		for (i64 op = p0; op < p1; op++) {
			i64 dh = avg_divisor(op, g.strideH, g.padH, g.r, g.h, countPad);
			for (i64 oq = q0; oq < q1; oq++) {
				i64 div = dh * avg_divisor(oq, g.strideW, g.padW, g.s, g.w, countPad);
				sum += dy[((img * g.p + op) * g.q + oq) * g.c + ch] * (1.f / (float)div);
			}
		}
		dx[i] = sum;
	}
}

// adaptive_bin sets [lo, hi) to the input positions output o pools along
// an axis: PyTorch's [floor(o*in/out), ceil((o+1)*in/out)), as
// autograd.AdaptivePoolParams.
__device__ __forceinline__ void adaptive_bin(i64 o, i64 in, i64 out, i64* lo, i64* hi) {
	*lo = o * in / out;
	*hi = ((o + 1) * in + out - 1) / out;
}

// adaptive_covering sets [lo, hi) to the output positions whose bins hold
// input position i along an axis.
__device__ __forceinline__ void adaptive_covering(i64 i, i64 in, i64 out, i64* lo, i64* hi) {
	*lo = i * out / in;
	*hi = ((i + 1) * out + in - 1) / in;
}

#define ADAPTIVE_PARAMS i64 n, i64 h, i64 w, i64 c, i64 oh, i64 ow

// adaptive_avg_pool sets y (n, oh, ow, c) to the means of x (n, h, w, c)
// over its bins, summed in row-major order as the CPU backend does.
template <class X>
__device__ void adaptive_avg_pool(const X* x, X* y, ADAPTIVE_PARAMS) {
	GRID_STRIDE(o, n * oh * ow * c) {
		i64 ch = o % c, t = o / c, oq = t % ow, op = (t / ow) % oh, img = t / (ow * oh);
		i64 h0, h1, w0, w1;
		adaptive_bin(op, h, oh, &h0, &h1);
		adaptive_bin(oq, w, ow, &w0, &w1);
		const X* xi = x + img * h * w * c + ch;
		float sum = 0;
		for (i64 hh = h0; hh < h1; hh++)
			for (i64 ww = w0; ww < w1; ww++) sum += ld(xi, (hh * w + ww) * c);
		st(y, o, sum * (1.f / (float)((h1 - h0) * (w1 - w0))));
	}
}
#define ADAPTIVE_AVG_POOL_PARAMS(X) (const X* x, X* y, ADAPTIVE_PARAMS)
BOTH_DTYPES(adaptive_avg_pool, ADAPTIVE_AVG_POOL_PARAMS, (x, y, n, h, w, c, oh, ow))

// adaptive_avg_pool_backward_f32 sets each dx element to the sum, over the
// bins holding it, of dy divided by the bin's size.
extern "C" __global__ void adaptive_avg_pool_backward_f32(const float* dy, float* dx, ADAPTIVE_PARAMS) {
	GRID_STRIDE(i, n * h * w * c) {
		i64 ch = i % c, t = i / c, ww = t % w, hh = (t / w) % h, img = t / (w * h);
		i64 p0, p1, q0, q1;
		adaptive_covering(hh, h, oh, &p0, &p1);
		adaptive_covering(ww, w, ow, &q0, &q1);
		float sum = 0;
		for (i64 op = p0; op < p1; op++) {
			i64 h0, h1;
			adaptive_bin(op, h, oh, &h0, &h1);
			for (i64 oq = q0; oq < q1; oq++) {
				i64 w0, w1;
				adaptive_bin(oq, w, ow, &w0, &w1);
				sum += dy[((img * oh + op) * ow + oq) * c + ch] * (1.f / (float)((h1 - h0) * (w1 - w0)));
			}
		}
		dx[i] = sum;
	}
}
