// The implicit-GEMM convolutions' three passes, for any tile configuration
// (conv.cu's fp32 SIMT tiles, conv_bf16.cu's tensor-core one), and their
// loaders: each loader gathers its thread's elements of one BK-deep step
// of an operand straight from the NHWC activations or the KRSC filters,
// zero where the convolution reads padding, so no im2col buffer is ever
// built. They place elements with gemm_tile.cuh's tile_pos.
#pragma once
#include "conv.cuh"
#include "gemm_tile.cuh"

// Im2col loads A of the forward pass: row m = (n, p, q) an output pixel,
// reduction index kk = (r, s, c) with c fastest, element x[n, p*stride -
// pad + r*dil, q*stride - pad + s*dil, g*Cg + c] or 0 in the padding.
// Each thread's rows stay fixed while its (r, s, c) advance by BK a step.
template <int ROWS, int BK, int T>
struct Im2col {
	enum { E = ROWS * BK / T };
	static constexpr bool KMAJOR = true;
	const float* x;
	Conv cv;
	i64 base[E]; // offset of image n and group g
	int h0[E], w0[E], rr[E], ss[E], cc[E];

	__device__ __forceinline__ Im2col(const float* x_, const Conv& cv_, int g, int row0) : x(x_), cv(cv_) {
		int m = cv.n * cv.p * cv.q;
#pragma unroll
		for (int e = 0; e < E; e++) {
			int r, kk;
			tile_pos<ROWS, BK, T, true>(threadIdx.x, e, &r, &kk);
			int row = row0 + r, img = row / (cv.p * cv.q), pq = row % (cv.p * cv.q);
			base[e] = (i64)img * cv.h * cv.w * cv.c + g * cv.cg;
			h0[e] = (pq / cv.q) * cv.strideH - cv.padH;
			w0[e] = (pq % cv.q) * cv.strideW - cv.padW;
			if (row >= m) h0[e] = -(1 << 30); // every tap falls outside
			cc[e] = kk % cv.cg;
			ss[e] = (kk / cv.cg) % cv.s;
			rr[e] = kk / cv.cg / cv.s;
		}
	}
	__device__ __forceinline__ void load(float* v) const {
#pragma unroll
		for (int e = 0; e < E; e++) {
			int hh = h0[e] + rr[e] * cv.dilH, ww = w0[e] + ss[e] * cv.dilW;
			bool in = rr[e] < cv.r && hh >= 0 && hh < cv.h && ww >= 0 && ww < cv.w;
			v[e] = in ? x[base[e] + ((i64)hh * cv.w + ww) * cv.c + cc[e]] : 0.f;
		}
	}
	__device__ __forceinline__ void next() {
#pragma unroll
		for (int e = 0; e < E; e++) {
			cc[e] += BK;
			while (cc[e] >= cv.cg) {
				cc[e] -= cv.cg;
				if (++ss[e] == cv.s) ss[e] = 0, rr[e]++;
			}
		}
	}
};

// DyGather loads A of the backward-data pass: row m = (n, h, w) an input
// pixel, reduction index kk = (r, s, k) with k fastest, element
// dy[n, p, q, g*Kg + k] where p*stride - pad + r*dil = h (and likewise q),
// 0 where no such output exists (strides skip it, or it lies outside).
template <int ROWS, int BK, int T>
struct DyGather {
	enum { E = ROWS * BK / T };
	static constexpr bool KMAJOR = true;
	const float* dy;
	Conv cv;
	i64 base[E]; // offset of image n and group g
	int hp[E], wp[E], rr[E], ss[E], kc[E];

	__device__ __forceinline__ DyGather(const float* dy_, const Conv& cv_, int g, int row0) : dy(dy_), cv(cv_) {
		int m = cv.n * cv.h * cv.w;
#pragma unroll
		for (int e = 0; e < E; e++) {
			int r, kk;
			tile_pos<ROWS, BK, T, true>(threadIdx.x, e, &r, &kk);
			int row = row0 + r, img = row / (cv.h * cv.w), hw = row % (cv.h * cv.w);
			base[e] = (i64)img * cv.p * cv.q * cv.k + g * cv.kg;
			hp[e] = hw / cv.w + cv.padH;
			wp[e] = hw % cv.w + cv.padW;
			if (row >= m) hp[e] = -(1 << 30);
			kc[e] = kk % cv.kg;
			ss[e] = (kk / cv.kg) % cv.s;
			rr[e] = kk / cv.kg / cv.s;
		}
	}
	__device__ __forceinline__ void load(float* v) const {
#pragma unroll
		for (int e = 0; e < E; e++) {
			int ph = hp[e] - rr[e] * cv.dilH, pw = wp[e] - ss[e] * cv.dilW;
			bool in = rr[e] < cv.r && ph >= 0 && pw >= 0;
			int op = 0, oq = 0;
			if (in) {
				op = ph / cv.strideH, oq = pw / cv.strideW;
				in = op * cv.strideH == ph && oq * cv.strideW == pw && op < cv.p && oq < cv.q;
			}
			v[e] = in ? dy[base[e] + ((i64)op * cv.q + oq) * cv.k + kc[e]] : 0.f;
		}
	}
	__device__ __forceinline__ void next() {
#pragma unroll
		for (int e = 0; e < E; e++) {
			kc[e] += BK;
			while (kc[e] >= cv.kg) {
				kc[e] -= cv.kg;
				if (++ss[e] == cv.s) ss[e] = 0, rr[e]++;
			}
		}
	}
};

// FilterT loads B of the backward-data pass, the group's filters read as
// (R*S*Kg, Cg): loader row c (an input channel of the group), reduction
// index kk = (r, s, k) with k fastest, element w[g*Kg + k, r, s, c]. The
// gather of DyGather does the spatial flip.
template <int ROWS, int BK, int T>
struct FilterT {
	enum { E = ROWS * BK / T };
	static constexpr bool KMAJOR = false;
	const float* w;
	Conv cv;
	int ch[E], rr[E], ss[E], kc[E];

	__device__ __forceinline__ FilterT(const float* w_, const Conv& cv_, int g, int row0)
	    : w(w_ + (i64)g * cv_.kg * cv_.r * cv_.s * cv_.cg), cv(cv_) {
#pragma unroll
		for (int e = 0; e < E; e++) {
			int r, kk;
			tile_pos<ROWS, BK, T, false>(threadIdx.x, e, &r, &kk);
			ch[e] = row0 + r;
			kc[e] = kk % cv.kg;
			ss[e] = (kk / cv.kg) % cv.s;
			rr[e] = kk / cv.kg / cv.s;
		}
	}
	__device__ __forceinline__ void load(float* v) const {
#pragma unroll
		for (int e = 0; e < E; e++) {
			bool in = ch[e] < cv.cg && rr[e] < cv.r;
			v[e] = in ? w[(((i64)kc[e] * cv.r + rr[e]) * cv.s + ss[e]) * cv.cg + ch[e]] : 0.f;
		}
	}
	__device__ __forceinline__ void next() {
#pragma unroll
		for (int e = 0; e < E; e++) {
			kc[e] += BK;
			while (kc[e] >= cv.kg) {
				kc[e] -= cv.kg;
				if (++ss[e] == cv.s) ss[e] = 0, rr[e]++;
			}
		}
	}
};

// Im2colT loads B of the backward-filter pass, im2col(x) read the other
// way: loader row j = (r, s, c) a filter tap, reduction index an output
// pixel (n, p, q) in [m0, m1), advancing by BK a step.
template <int ROWS, int BK, int T>
struct Im2colT {
	enum { E = ROWS * BK / T };
	static constexpr bool KMAJOR = false;
	const float* x;
	Conv cv;
	int m1;
	int dh[E], dw[E], cc[E]; // the tap's offsets; cc < 0 past the last tap
	int mm[E], img[E], op[E], oq[E];

	__device__ __forceinline__ Im2colT(const float* x_, const Conv& cv_, int g, int row0, int m0, int m1_)
	    : x(x_ + g * cv_.cg), cv(cv_), m1(m1_) {
		int taps = cv.r * cv.s * cv.cg;
#pragma unroll
		for (int e = 0; e < E; e++) {
			int r, kk;
			tile_pos<ROWS, BK, T, false>(threadIdx.x, e, &r, &kk);
			int j = row0 + r;
			cc[e] = j < taps ? j % cv.cg : -1;
			dw[e] = (j / cv.cg) % cv.s * cv.dilW - cv.padW;
			dh[e] = j / cv.cg / cv.s * cv.dilH - cv.padH;
			int m = m0 + kk;
			mm[e] = m;
			img[e] = m / (cv.p * cv.q);
			op[e] = m / cv.q % cv.p;
			oq[e] = m % cv.q;
		}
	}
	__device__ __forceinline__ void load(float* v) const {
#pragma unroll
		for (int e = 0; e < E; e++) {
			int hh = op[e] * cv.strideH + dh[e], ww = oq[e] * cv.strideW + dw[e];
			bool in = cc[e] >= 0 && mm[e] < m1 && hh >= 0 && hh < cv.h && ww >= 0 && ww < cv.w;
			v[e] = in ? x[(((i64)img[e] * cv.h + hh) * cv.w + ww) * cv.c + cc[e]] : 0.f;
		}
	}
	__device__ __forceinline__ void next() {
#pragma unroll
		for (int e = 0; e < E; e++) {
			mm[e] += BK;
			oq[e] += BK;
			while (oq[e] >= cv.q) {
				oq[e] -= cv.q;
				if (++op[e] == cv.p) op[e] = 0, img[e]++;
			}
		}
	}
};

template <class C>
__device__ __forceinline__ void conv_forward(const float* x, const float* wt, float* y, const Conv& cv) {
	int g = blockIdx.z, row0 = blockIdx.x * C::BM, col0 = blockIdx.y * C::BN;
	int red = cv.r * cv.s * cv.cg;
	Im2col<C::BM, C::BK, C::T> la(x, cv, g, row0);
	// B (kk, k) = w[g*Kg + k, kk]: loader row k, contiguous along kk.
	Dense<C::BN, C::BK, C::T, true> lb(wt + (i64)g * cv.kg * red, red, 1, cv.kg, red, col0);
	typename AccOf<C>::type acc;
	mainloop(la, lb, (red + C::BK - 1) / C::BK, acc);
	store(acc, y + g * cv.kg, cv.k, cv.n * cv.p * cv.q, cv.kg, row0, col0, 1.f, 0.f);
}

template <class C>
__device__ __forceinline__ void conv_backward_data(const float* dy, const float* wt, float* dx, const Conv& cv) {
	int g = blockIdx.z, row0 = blockIdx.x * C::BM, col0 = blockIdx.y * C::BN;
	DyGather<C::BM, C::BK, C::T> la(dy, cv, g, row0);
	FilterT<C::BN, C::BK, C::T> lb(wt, cv, g, col0);
	typename AccOf<C>::type acc;
	mainloop(la, lb, (cv.r * cv.s * cv.kg + C::BK - 1) / C::BK, acc);
	store(acc, dx + g * cv.cg, cv.c, cv.n * cv.h * cv.w, cv.cg, row0, col0, 1.f, 0.f);
}

// conv_backward_filter computes, for gridDim.z = G * splits, group
// z / splits's filter gradient over split z % splits of the output
// pixels, [s*mchunk, min(M, (s+1)*mchunk)), into out + z*Kg*R*S*Cg: the
// gradient itself when there is one split, else the partial sums.
template <class C>
__device__ __forceinline__ void conv_backward_filter(const float* x, const float* dy, float* out, const Conv& cv,
                                                     int splits, int mchunk) {
	int z = blockIdx.z, g = z / splits, sp = z % splits, row0 = blockIdx.x * C::BM, col0 = blockIdx.y * C::BN;
	int m = cv.n * cv.p * cv.q, m0 = sp * mchunk, m1 = min(m, m0 + mchunk), taps = cv.r * cv.s * cv.cg;
	// A (k, kk) = dy[m0 + kk, g*Kg + k]: loader row k, contiguous along k.
	Dense<C::BM, C::BK, C::T, false> la(dy + (i64)m0 * cv.k + g * cv.kg, 1, cv.k, cv.kg, m1 - m0, row0);
	Im2colT<C::BN, C::BK, C::T> lb(x, cv, g, col0, m0, m1);
	typename AccOf<C>::type acc;
	mainloop(la, lb, (m1 - m0 + C::BK - 1) / C::BK, acc);
	store(acc, out + (i64)z * cv.kg * taps, taps, cv.kg, taps, row0, col0, 1.f, 0.f, splits == 1);
}

// CONV_KERNELS defines conv2d_<pass>_<tile>_f32 for configuration C
// (gemm_tile.cuh or mma_tile.cuh), launched with grid (row tiles, column tiles, G)
// (G * splits for the filter gradient) and C::T threads.
#define CONV_KERNELS(C, tile)                                                                                      \
	extern "C" __global__ void __launch_bounds__(C::T)                                                              \
	    conv2d_forward_##tile##_f32(const float* x, const float* wt, float* y, CONV_PARAMS) {                     \
		CONV_INIT;                                                                                                 \
		conv_forward<C>(x, wt, y, cv);                                                                             \
	}                                                                                                              \
	extern "C" __global__ void __launch_bounds__(C::T)                                                              \
	    conv2d_backward_data_##tile##_f32(const float* dy, const float* wt, float* dx, CONV_PARAMS) {             \
		CONV_INIT;                                                                                                 \
		conv_backward_data<C>(dy, wt, dx, cv);                                                                     \
	}                                                                                                              \
	extern "C" __global__ void __launch_bounds__(C::T) conv2d_backward_filter_##tile##_f32(                         \
	    const float* x, const float* dy, float* out, i64 splits, i64 mchunk, CONV_PARAMS) {                        \
		CONV_INIT;                                                                                                 \
		conv_backward_filter<C>(x, dy, out, cv, (int)splits, (int)mchunk);                                         \
	}
