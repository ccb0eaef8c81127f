// The implicit-GEMM convolutions' three passes, for any tile configuration
// (conv.cu's fp32 SIMT tiles, conv_bf16.cu's tensor-core one), and their
// loaders: each loader gathers its thread's elements of one BK-deep step
// of an operand straight from the NHWC activations or the KRSC filters,
// zero where the convolution reads padding, so no im2col buffer is ever
// built. They place elements with gemm_tile.cuh's tile_pos.
#pragma once
#include "conv.cuh"
#include "conv_phase.cuh"
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

// DyGather loads A of one phase (conv_phase.cuh) of the backward-data
// pass: row m = (n, i, iw) a pixel of the phase, reduction index (j, js,
// k) with k fastest, element dy[n, y.o0 + i - j*y.ostep, x.o0 + iw -
// js*x.ostep, g*Kg + k], 0 where that output lies outside dy.
template <int ROWS, int BK, int T>
struct DyGather {
	enum { E = ROWS * BK / T };
	static constexpr bool KMAJOR = true;
	const float* dy;
	int p, q, k, kg, tapsY, tapsX, ostepH, ostepW;
	i64 base[E]; // offset of image n and group g
	int op[E], oq[E]; // the outputs of tap (0, 0)
	TapCursor tap[E];

	__device__ __forceinline__ DyGather(const float* dy_, const Conv& cv, const Phase& ph, int g, int row0)
	    : dy(dy_), p(cv.p), q(cv.q), k(cv.k), kg(cv.kg), tapsY(ph.y.taps), tapsX(max(ph.x.taps, 1)),
	      ostepH(ph.y.ostep), ostepW(ph.x.ostep) {
		int per = ph.y.count * ph.x.count;
#pragma unroll
		for (int e = 0; e < E; e++) {
			int r, kk;
			tile_pos<ROWS, BK, T, true>(threadIdx.x, e, &r, &kk);
			int row = row0 + r, img = row / per;
			base[e] = (i64)img * p * q * k + g * kg;
			op[e] = ph.y.o0 + row % per / ph.x.count;
			oq[e] = ph.x.o0 + row % ph.x.count;
			if (row >= ph.m) op[e] = -(1 << 30); // every tap falls outside
			tap[e].start(kk, kg, tapsX);
		}
	}
	__device__ __forceinline__ void load(float* v) const {
#pragma unroll
		for (int e = 0; e < E; e++) {
			int oh = op[e] - tap[e].j * ostepH, ow = oq[e] - tap[e].js * ostepW;
			bool in = tap[e].j < tapsY && oh >= 0 && oh < p && ow >= 0 && ow < q;
			v[e] = in ? dy[base[e] + ((i64)oh * q + ow) * k + tap[e].k] : 0.f;
		}
	}
	__device__ __forceinline__ void next() {
#pragma unroll
		for (int e = 0; e < E; e++) tap[e].advance(BK, kg, tapsX);
	}
};

// FilterT loads B of one phase of the backward-data pass, the group's
// filters at the phase's taps read as (taps*Kg, Cg): loader row c (an
// input channel of the group), reduction index (j, js, k) with k fastest,
// element w[g*Kg + k, y.r0 + j*y.rstep, x.r0 + js*x.rstep, c]. The
// gather of DyGather does the spatial flip.
template <int ROWS, int BK, int T>
struct FilterT {
	enum { E = ROWS * BK / T };
	static constexpr bool KMAJOR = false;
	const float* w; // the phase's first tap of group g
	int r, s, cg, kg, tapsY, tapsX, rstepH, rstepW;
	int ch[E];
	TapCursor tap[E];

	__device__ __forceinline__ FilterT(const float* w_, const Conv& cv, const Phase& ph, int g, int row0)
	    : w(w_ + (i64)g * cv.kg * cv.r * cv.s * cv.cg + ((i64)ph.y.r0 * cv.s + ph.x.r0) * cv.cg), r(cv.r), s(cv.s),
	      cg(cv.cg), kg(cv.kg), tapsY(ph.y.taps), tapsX(max(ph.x.taps, 1)), rstepH(ph.y.rstep),
	      rstepW(ph.x.rstep) {
#pragma unroll
		for (int e = 0; e < E; e++) {
			int rr, kk;
			tile_pos<ROWS, BK, T, false>(threadIdx.x, e, &rr, &kk);
			ch[e] = row0 + rr;
			tap[e].start(kk, kg, tapsX);
		}
	}
	__device__ __forceinline__ void load(float* v) const {
#pragma unroll
		for (int e = 0; e < E; e++) {
			bool in = ch[e] < cg && tap[e].j < tapsY;
			i64 at = (((i64)tap[e].k * r + tap[e].j * rstepH) * s + tap[e].js * rstepW) * cg + ch[e];
			v[e] = in ? w[at] : 0.f;
		}
	}
	__device__ __forceinline__ void next() {
#pragma unroll
		for (int e = 0; e < E; e++) tap[e].advance(BK, kg, tapsX);
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
	store(acc, y + g * cv.kg, RowStride{cv.k}, cv.n * cv.p * cv.q, cv.kg, row0, col0, 1.f, 0.f);
}

// conv_backward_data computes, for gridDim.z = G * strideH*strideW,
// group z / phases's input gradient at the pixels of phase z % phases
// (conv_phase.cuh), each phase a dense implicit GEMM over its own taps.
// One launch covers every phase, so that their blocks fill the GPU
// together (the phases write disjoint pixels, so they run in any order);
// gridDim.x is sized for the largest phase, and the blocks past a smaller
// (or empty) phase's end return at once.
template <class C>
__device__ __forceinline__ void conv_backward_data(const float* dy, const float* wt, float* dx, const Conv& cv) {
	int phases = cv.strideH * cv.strideW;
	int g = blockIdx.z / phases, row0 = blockIdx.x * C::BM, col0 = blockIdx.y * C::BN;
	Phase ph(cv, blockIdx.z % phases);
	if (row0 >= ph.m) return; // the whole block: no barrier is skipped
	DyGather<C::BM, C::BK, C::T> la(dy, cv, ph, g, row0);
	FilterT<C::BN, C::BK, C::T> lb(wt, cv, ph, g, col0);
	typename AccOf<C>::type acc;
	mainloop(la, lb, (ph.reduction(cv) + C::BK - 1) / C::BK, acc);
	store(acc, dx + g * cv.cg, PhaseRows(cv, ph), ph.m, cv.cg, row0, col0, 1.f, 0.f);
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
	store(acc, out + (i64)z * cv.kg * taps, RowStride{taps}, cv.kg, taps, row0, col0, 1.f, 0.f, splits == 1);
}

// CONV_KERNELS defines conv2d_<pass>_<tile>_f32 for configuration C
// (gemm_tile.cuh or mma_tile.cuh), launched with grid (row tiles, column tiles, G)
// (G * strideH*strideW phases for the input gradient, G * splits for the
// filter gradient) and C::T threads.
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
