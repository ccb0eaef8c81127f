// The implicit-GEMM convolutions' three passes, for any tile configuration
// (conv.cu's fp32 SIMT tiles, conv_bf16.cu's and conv_tf32.cu's
// tensor-core ones), and their loaders: each loader gathers its thread's
// elements of one BK-deep step of an operand straight from the NHWC
// activations or the KRSC filters, zero where the convolution reads
// padding, so no im2col buffer is ever built. They place elements with
// gemm_tile.cuh's tile_pos.
#pragma once
#include "conv.cuh"
#include "conv_phase.cuh"
#include "gemm_tile.cuh"

// The gathers keep as little per element as they can, so that a tile
// whose threads load twice the rows (mma_tile.cuh's 128x64) fits its
// registers beside twice the accumulators. Every tile has T a multiple of
// BK and of the gathered operand's rows, so by tile_pos a thread's
// elements of a k-major gather (Im2col, DyGather) all share one reduction
// index and differ in their rows, and those of a row-major one (FilterT,
// Im2colT) share one row and differ in their reduction index. What
// depends on the shared one is held once per thread (a tap cursor, or a
// tap's offsets), what depends on the other per element in as few words
// as it takes: a 32-bit offset (the tensors have fewer than 2^31
// elements, cuda's mustIndex32; intermediate offsets wrap as unsigned and
// come back in range where they are read), two 16-bit coordinates in one
// word (cuda's convBuffers keeps every side and padding within them), and
// one bit of a per-thread mask for the rows past the product's end. The
// per-row validity check against each tap is two unsigned compares.

// pack2 holds hi and lo, each in [-2^15, 2^15), in one word; hi16 and
// lo16 take them back.
__device__ __forceinline__ int pack2(int hi, int lo) { return (int)(((unsigned)hi << 16) | ((unsigned)lo & 0xffffu)); }
__device__ __forceinline__ int hi16(int v) { return v >> 16; }
__device__ __forceinline__ int lo16(int v) { return (int)(short)(v & 0xffff); }

// inside reports 0 <= v < n.
__device__ __forceinline__ bool inside(int v, int n) { return (unsigned)v < (unsigned)n; }

// KmajorRows is a k-major gather's per-thread view of tile_pos (of
// vec_pos for vectors of V elements along k): its elements' rows are
// row + e*STEP, their common reduction index k.
template <int ROWS, int BK, int T, int V = 1>
struct KmajorRows {
	static_assert(T % (BK / V) == 0, "a k-major gather needs T a multiple of BK/V");
	enum { E = ROWS * BK / (T * V), STEP = T * V / BK };
	static_assert(E <= 32, "a gather's row mask holds 32 elements");
	static __device__ __forceinline__ int row() { return threadIdx.x / (BK / V); }
	static __device__ __forceinline__ int k() { return threadIdx.x % (BK / V) * V; }
};

// RowMajorK is a row-major gather's per-thread view of tile_pos (of
// vec_pos for vectors of V elements along the rows): its elements'
// reduction indices are k + e*STEP, their common (first) row.
template <int ROWS, int BK, int T, int V = 1>
struct RowMajorK {
	static_assert(T % (ROWS / V) == 0, "a row-major gather needs T a multiple of its rows/V");
	enum { E = ROWS * BK / (T * V), STEP = T * V / ROWS };
	static __device__ __forceinline__ int row() { return threadIdx.x % (ROWS / V) * V; }
	static __device__ __forceinline__ int k() { return threadIdx.x / (ROWS / V); }
};

// Im2col loads A of the forward pass: row m = (n, p, q) an output pixel,
// reduction index kk = (r, s, c) with c fastest, element x[n, p*stride -
// pad + r*dil, q*stride - pad + s*dil, g*Cg + c] or 0 in the padding.
// Per element: the offset of the row's pixel (h0, w0) = (p*stride - pad,
// q*stride - pad) and (h0, w0) packed; per thread: the tap (r, s, c),
// which advances by BK a step. With V = 4 its elements are vectors of 4
// channels, copied into shared memory by cp.async (copy; Cg and C
// multiples of 4: cuda's forwardPass), else loaded into registers
// (load).
template <int ROWS, int BK, int T, int V_ = 1>
struct Im2col {
	typedef KmajorRows<ROWS, BK, T, V_> L;
	enum { E = L::E, V = V_ };
	static constexpr bool KMAJOR = true;
	const float* x;
	Conv cv;
	unsigned off[E]; // of x[n, h0, w0, g*Cg]
	int hw[E];       // pack2(h0, w0)
	unsigned live;   // bit e: element e's row is inside the product
	int rr, ss, cc;

	__device__ __forceinline__ Im2col(const float* x_, const Conv& cv_, int g, int row0) : x(x_), cv(cv_), live(0) {
		int m = cv.n * cv.p * cv.q, pq = cv.p * cv.q;
#pragma unroll
		for (int e = 0; e < E; e++) {
			int row = row0 + L::row() + e * L::STEP, img = row / pq, at = row % pq;
			int h0 = at / cv.q * cv.strideH - cv.padH, w0 = at % cv.q * cv.strideW - cv.padW;
			off[e] = ((unsigned)(img * cv.h + h0) * cv.w + w0) * cv.c + g * cv.cg;
			hw[e] = pack2(h0, w0);
			live |= (unsigned)(row < m) << e;
		}
		int kk = L::k();
		cc = kk % cv.cg;
		ss = kk / cv.cg % cv.s;
		rr = kk / cv.cg / cv.s;
	}
	// Tap is the step's tap (r, s, c), which the thread's elements share:
	// ok, r inside the filter; (dh, dw), its offset from a row's pixel
	// (h0, w0); d, the same offset in x (plus c).
	struct Tap {
		bool ok;
		int dh, dw;
		unsigned d;
	};
	__device__ __forceinline__ Tap tap() const {
		int dh = rr * cv.dilH, dw = ss * cv.dilW;
		return Tap{rr < cv.r, dh, dw, ((unsigned)dh * cv.w + dw) * cv.c + cc};
	}
	// in reports whether element e reads x at tap t (else 0: padding, past
	// the product's rows or past the taps), and sets at to its offset from
	// x.
	__device__ __forceinline__ bool in(const Tap& t, int e, unsigned* at) const {
		*at = off[e] + t.d;
		return t.ok && (live >> e & 1) && inside(hi16(hw[e]) + t.dh, cv.h) && inside(lo16(hw[e]) + t.dw, cv.w);
	}
	__device__ __forceinline__ void load(float* v) const {
		Tap t = tap();
#pragma unroll
		for (int e = 0; e < E; e++) {
			unsigned at;
			v[e] = in(t, e, &at) ? x[at] : 0.f;
		}
	}
	// copy issues the step's copies into s, laid out by Stage; a vector in
	// the padding, past the product's rows or past the taps is zero-filled.
	template <class Stage>
	__device__ __forceinline__ void copy(float* s) const {
		static_assert(V == 4, "copy moves 16-byte vectors");
		Tap t = tap();
#pragma unroll
		for (int e = 0; e < E; e++) {
			unsigned at;
			bool ok = in(t, e, &at);
			cp_async16(s + Stage::off(L::row() + e * L::STEP, L::k()), ok ? x + at : x, ok ? 16 : 0);
		}
	}
	__device__ __forceinline__ void next() {
		cc += BK;
		while (cc >= cv.cg) {
			cc -= cv.cg;
			if (++ss == cv.s) ss = 0, rr++;
		}
	}
};

// DyGather loads A of one phase (conv_phase.cuh) of the backward-data
// pass: row m = (n, i, iw) a pixel of the phase, reduction index (j, js,
// k) with k fastest, element dy[n, y.o0 + i - j*y.ostep, x.o0 + iw -
// js*x.ostep, g*Kg + k], 0 where that output lies outside dy. Per
// element: the offset of the row's output at tap (0, 0) and that output
// packed; per thread: the tap cursor. With V = 4 its elements are vectors
// of 4 output channels, copied into shared memory by cp.async (copy; K
// and Kg multiples of 4: cuda's backwardDataPass), else loaded into
// registers (load).
template <int ROWS, int BK, int T, int V_ = 1>
struct DyGather {
	typedef KmajorRows<ROWS, BK, T, V_> L;
	enum { E = L::E, V = V_ };
	static constexpr bool KMAJOR = true;
	const float* dy;
	int p, q, k, kg, tapsY, tapsX, ostepH, ostepW;
	unsigned off[E]; // of dy[n, op, oq, g*Kg]
	int pq[E];       // pack2(op, oq)
	unsigned live;   // bit e: element e's row is inside the phase
	TapCursor tap;

	__device__ __forceinline__ DyGather(const float* dy_, const Conv& cv, const Phase& ph, int g, int row0)
	    : dy(dy_), p(cv.p), q(cv.q), k(cv.k), kg(cv.kg), tapsY(ph.y.taps), tapsX(max(ph.x.taps, 1)),
	      ostepH(ph.y.ostep), ostepW(ph.x.ostep), live(0) {
		int per = ph.y.count * ph.x.count;
#pragma unroll
		for (int e = 0; e < E; e++) {
			int row = row0 + L::row() + e * L::STEP, img = row / per;
			int op = ph.y.o0 + row % per / ph.x.count, oq = ph.x.o0 + row % ph.x.count;
			off[e] = ((unsigned)(img * p + op) * q + oq) * k + g * kg;
			pq[e] = pack2(op, oq);
			live |= (unsigned)(row < ph.m) << e;
		}
		tap.start(L::k(), kg, tapsX);
	}
	__device__ __forceinline__ void load(float* v) const {
		int dh = tap.j * ostepH, dw = tap.js * ostepW;
		unsigned d = tap.k - ((unsigned)dh * q + dw) * k;
		bool in0 = tap.j < tapsY;
#pragma unroll
		for (int e = 0; e < E; e++) {
			bool in = in0 && (live >> e & 1) && inside(hi16(pq[e]) - dh, p) && inside(lo16(pq[e]) - dw, q);
			v[e] = in ? dy[off[e] + d] : 0.f;
		}
	}
	// copy issues the step's copies into s, laid out by Stage; a vector
	// outside dy, past the phase's rows or past its taps is zero-filled.
	// It repeats load's per-element test rather than sharing an in() with
	// it, as Im2col's do: every such fold tried (2026-12-03, ptxas for
	// sm_90) took conv2d_backward_data_bf16_pipe_f32 from 96 registers to
	// 114-121, from 5 blocks per SM to 4.
	template <class Stage>
	__device__ __forceinline__ void copy(float* s) const {
		static_assert(V == 4, "copy moves 16-byte vectors");
		int dh = tap.j * ostepH, dw = tap.js * ostepW;
		unsigned d = tap.k - ((unsigned)dh * q + dw) * k;
		bool in0 = tap.j < tapsY;
#pragma unroll
		for (int e = 0; e < E; e++) {
			bool in = in0 && (live >> e & 1) && inside(hi16(pq[e]) - dh, p) && inside(lo16(pq[e]) - dw, q);
			cp_async16(s + Stage::off(L::row() + e * L::STEP, L::k()), in ? dy + (off[e] + d) : dy, in ? 16 : 0);
		}
	}
	__device__ __forceinline__ void next() { tap.advance(BK, kg, tapsX); }
};

// FilterT loads B of one phase of the backward-data pass, the group's
// filters at the phase's taps read as (taps*Kg, Cg): loader row c (an
// input channel of the group, one per thread), reduction index (j, js, k)
// with k fastest (a tap cursor per element), element w[g*Kg + k, y.r0 +
// j*y.rstep, x.r0 + js*x.rstep, c]. The gather of DyGather does the
// spatial flip. With V = 4 a thread's row is 4 input channels of one
// filter tap, a 16-byte vector copied by cp.async (copy; Cg a multiple
// of 4), else one element loaded into registers (load).
template <int ROWS, int BK, int T, int V_ = 1>
struct FilterT {
	typedef RowMajorK<ROWS, BK, T, V_> L;
	enum { E = L::E, V = V_ };
	static constexpr bool KMAJOR = false;
	const float* w; // the phase's first tap of group g, at the thread's (first) channel
	int r, s, cg, kg, tapsY, tapsX, rstepH, rstepW;
	bool chIn; // the thread's channel is inside the group
	TapCursor tap[E];

	__device__ __forceinline__ FilterT(const float* w_, const Conv& cv, const Phase& ph, int g, int row0)
	    : w(w_ + (i64)g * cv.kg * cv.r * cv.s * cv.cg + ((i64)ph.y.r0 * cv.s + ph.x.r0) * cv.cg + row0 + L::row()),
	      r(cv.r), s(cv.s), cg(cv.cg), kg(cv.kg), tapsY(ph.y.taps), tapsX(max(ph.x.taps, 1)),
	      rstepH(ph.y.rstep), rstepW(ph.x.rstep), chIn(row0 + L::row() < cv.cg) {
#pragma unroll
		for (int e = 0; e < E; e++) tap[e].start(L::k() + e * L::STEP, kg, tapsX);
	}
	// in reports whether element e reads w (else 0: past the group's
	// channels or the phase's taps), and sets at to its offset from w.
	__device__ __forceinline__ bool in(int e, unsigned* at) const {
		*at = (((unsigned)tap[e].k * r + tap[e].j * rstepH) * s + tap[e].js * rstepW) * cg;
		return chIn && tap[e].j < tapsY;
	}
	__device__ __forceinline__ void load(float* v) const {
#pragma unroll
		for (int e = 0; e < E; e++) {
			unsigned at;
			v[e] = in(e, &at) ? w[at] : 0.f;
		}
	}
	// copy issues the step's copies into s, laid out by Stage; a vector
	// past the channels or the taps is zero-filled.
	template <class Stage>
	__device__ __forceinline__ void copy(float* sm) const {
		static_assert(V == 4, "copy moves 16-byte vectors");
#pragma unroll
		for (int e = 0; e < E; e++) {
			unsigned at;
			bool ok = in(e, &at);
			cp_async16(sm + Stage::off(L::row(), L::k() + e * L::STEP), ok ? w + at : w, ok ? 16 : 0);
		}
	}
	__device__ __forceinline__ void next() {
#pragma unroll
		for (int e = 0; e < E; e++) tap[e].advance(BK, kg, tapsX);
	}
};

// Im2colT loads B of the backward-filter pass, im2col(x) read the other
// way: loader row j = (r, s, c) a filter tap (one per thread: its offsets
// held once), reduction index an output pixel (n, p, q) in [m0, m1),
// advancing by BK a step (per element: the pixel's index, image and
// (p, q) packed). With V = 4 a thread's row is 4 channels of one tap, a
// 16-byte vector copied into shared memory by cp.async (copy; Cg and C
// multiples of 4, so that no vector straddles two taps and every one is
// aligned: cuda's backwardFilterPass), else one element loaded into
// registers (load).
template <int ROWS, int BK, int T, int V_ = 1>
struct Im2colT {
	typedef RowMajorK<ROWS, BK, T, V_> L;
	enum { E = L::E, V = V_ };
	static constexpr bool KMAJOR = false;
	const float* x; // at the thread's tap's (first) channel of group g
	Conv cv;
	int m1;
	int dh, dw;      // the tap's offsets
	bool tapIn;      // the thread's tap is inside the filter
	int mm[E], img[E], pq[E]; // pq: pack2(p, q)

	__device__ __forceinline__ Im2colT(const float* x_, const Conv& cv_, int g, int row0, int m0, int m1_)
	    : x(x_), cv(cv_), m1(m1_) {
		int j = row0 + L::row();
		tapIn = j < cv.r * cv.s * cv.cg;
		x += g * cv.cg + (tapIn ? j % cv.cg : 0);
		dw = (j / cv.cg) % cv.s * cv.dilW - cv.padW;
		dh = j / cv.cg / cv.s * cv.dilH - cv.padH;
#pragma unroll
		for (int e = 0; e < E; e++) {
			int m = m0 + L::k() + e * L::STEP;
			mm[e] = m;
			img[e] = m / (cv.p * cv.q);
			pq[e] = pack2(m / cv.q % cv.p, m % cv.q);
		}
	}
	// in reports whether element e reads x (else 0: padding, past the
	// taps or past m1), and sets at to its offset from x.
	__device__ __forceinline__ bool in(int e, unsigned* at) const {
		int hh = hi16(pq[e]) * cv.strideH + dh, ww = lo16(pq[e]) * cv.strideW + dw;
		*at = ((unsigned)(img[e] * cv.h + hh) * cv.w + ww) * cv.c;
		return tapIn && mm[e] < m1 && inside(hh, cv.h) && inside(ww, cv.w);
	}
	__device__ __forceinline__ void load(float* v) const {
#pragma unroll
		for (int e = 0; e < E; e++) {
			unsigned at;
			v[e] = in(e, &at) ? x[at] : 0.f;
		}
	}
	// copy issues the step's copies into s, laid out by Stage; a vector in
	// the padding, past the taps or past m1 is zero-filled.
	template <class Stage>
	__device__ __forceinline__ void copy(float* s) const {
		static_assert(V == 4, "copy moves 16-byte vectors");
#pragma unroll
		for (int e = 0; e < E; e++) {
			unsigned at;
			bool ok = in(e, &at);
			cp_async16(s + Stage::off(L::row(), L::k() + e * L::STEP), ok ? x + at : x, ok ? 16 : 0);
		}
	}
	__device__ __forceinline__ void next() {
#pragma unroll
		for (int e = 0; e < E; e++) {
			mm[e] += BK;
			int op = hi16(pq[e]), oq = lo16(pq[e]) + BK;
			while (oq >= cv.q) {
				oq -= cv.q;
				if (++op == cv.p) op = 0, img[e]++;
			}
			pq[e] = pack2(op, oq);
		}
	}
};

// conv_forward computes group blockIdx.z's output tile; V = 4 runs the
// cp.async pipeline (mma_pipe.cuh, tensor-core tiles), V = 1 the tile's
// own main loop.
template <class C, int V = 1, class Epi = NoEpilogue>
__device__ __forceinline__ void conv_forward(const float* x, const float* wt, float* y, const Conv& cv,
                                             const Epi& epi = Epi()) {
	int g = blockIdx.z, row0 = blockIdx.x * C::BM, col0 = blockIdx.y * C::BN;
	int red = cv.r * cv.s * cv.cg;
	Im2col<C::BM, C::BK, C::T, V> la(x, cv, g, row0);
	// B (kk, k) = w[g*Kg + k, kk]: loader row k, contiguous along kk.
	Dense<C::BN, C::BK, C::T, true, V> lb(wt + (i64)g * cv.kg * red, red, 1, cv.kg, red, col0);
	typename AccOf<C>::type acc;
	if constexpr (V == 1)
		mainloop(la, lb, (red + C::BK - 1) / C::BK, acc);
	else
		mainloop_pipe(la, lb, (red + C::BK - 1) / C::BK, acc);
	store(acc, y + g * cv.kg, RowStride{cv.k}, cv.n * cv.p * cv.q, cv.kg, row0, col0, 1.f, 0.f, true, epi);
}

// conv_backward_data computes, for gridDim.z = G * strideH*strideW,
// group z / phases's input gradient at the pixels of phase z % phases
// (conv_phase.cuh), each phase a dense implicit GEMM over its own taps.
// One launch covers every phase, so that their blocks fill the GPU
// together (the phases write disjoint pixels, so they run in any order);
// gridDim.x is sized for the largest phase, and the blocks past a smaller
// (or empty) phase's end return at once. V = 4 runs the cp.async
// pipeline (mma_pipe.cuh, tensor-core tiles: dy copied 4 output channels
// at a time, the filters 4 input channels), V = 1 the tile's own loop.
template <class C, int V = 1>
__device__ __forceinline__ void conv_backward_data(const float* dy, const float* wt, float* dx, const Conv& cv) {
	int phases = cv.strideH * cv.strideW;
	int g = blockIdx.z / phases, row0 = blockIdx.x * C::BM, col0 = blockIdx.y * C::BN;
	Phase ph(cv, blockIdx.z % phases);
	if (row0 >= ph.m) return; // the whole block: no barrier is skipped
	DyGather<C::BM, C::BK, C::T, V> la(dy, cv, ph, g, row0);
	FilterT<C::BN, C::BK, C::T, V> lb(wt, cv, ph, g, col0);
	typename AccOf<C>::type acc;
	if constexpr (V == 1)
		mainloop(la, lb, (ph.reduction(cv) + C::BK - 1) / C::BK, acc);
	else
		mainloop_pipe(la, lb, (ph.reduction(cv) + C::BK - 1) / C::BK, acc);
	store(acc, dx + g * cv.cg, PhaseRows(cv, ph), ph.m, cv.cg, row0, col0, 1.f, 0.f);
}

// conv_backward_filter computes, for gridDim.z = G * splits, group
// z / splits's filter gradient over split z % splits of the output
// pixels, [s*mchunk, min(M, (s+1)*mchunk)), into out + z*Kg*R*S*Cg: the
// gradient itself when there is one split, else the partial sums. V = 4
// runs the cp.async pipeline (mma_pipe.cuh, tensor-core tiles; dy's rows
// are copied 4 output channels at a time, x's 4 input channels of a
// tap), V = 1 the tile's own main loop.
template <class C, int V = 1>
__device__ __forceinline__ void conv_backward_filter(const float* x, const float* dy, float* out, const Conv& cv,
                                                     int splits, int mchunk) {
	int z = blockIdx.z, g = z / splits, sp = z % splits, row0 = blockIdx.x * C::BM, col0 = blockIdx.y * C::BN;
	int m = cv.n * cv.p * cv.q, m0 = sp * mchunk, m1 = min(m, m0 + mchunk), taps = cv.r * cv.s * cv.cg;
	// A (k, kk) = dy[m0 + kk, g*Kg + k]: loader row k, contiguous along k.
	Dense<C::BM, C::BK, C::T, false, V> la(dy + (i64)m0 * cv.k + g * cv.kg, 1, cv.k, cv.kg, m1 - m0, row0);
	Im2colT<C::BN, C::BK, C::T, V> lb(x, cv, g, col0, m0, m1);
	typename AccOf<C>::type acc;
	if constexpr (V == 1)
		mainloop(la, lb, (m1 - m0 + C::BK - 1) / C::BK, acc);
	else
		mainloop_pipe(la, lb, (m1 - m0 + C::BK - 1) / C::BK, acc);
	store(acc, out + (i64)z * cv.kg * taps, RowStride{taps}, cv.kg, taps, row0, col0, 1.f, 0.f, splits == 1);
}

// CONV_KERNELS defines conv2d_<pass>_<tile>_f32 for configuration C
// (gemm_tile.cuh or mma_tile.cuh), launched with grid (row tiles, column tiles, G)
// (G * strideH*strideW phases for the input gradient, G * splits for the
// filter gradient) and C::T threads; minBlocks, 1 or 2, the blocks that
// must fit on one SM: 1 gives the launch bound alone (ptxas's own
// register budget; naming a minimum of 1 changes its allocation), 2 holds
// ptxas to two blocks' registers.
#define CONV_BOUNDS_1(C) __launch_bounds__(C::T)
#define CONV_BOUNDS_2(C) __launch_bounds__(C::T, 2)
// CONV_FORWARD defines conv2d_forward_<tile>_f32 alone, conv_forward<C, V>:
// CONV_KERNELS's with V = 1, the cp.async pipeline's (tile named
// <tile>_pipe, the tensor-core tiles) with V = 4.
#define CONV_FORWARD(C, tile, minBlocks, V)                                                                          \
	extern "C" __global__ void CONV_BOUNDS_##minBlocks(C)                                                            \
	    conv2d_forward_##tile##_f32(const float* x, const float* wt, float* y, CONV_PARAMS) {                        \
		CONV_INIT;                                                                                                   \
		conv_forward<C, V>(x, wt, y, cv);                                                                            \
	}
#define CONV_KERNELS(C, tile, minBlocks)                                                                             \
	CONV_FORWARD_BIAS(C, tile, minBlocks, 1)                                                                         \
	CONV_FORWARD(C, tile, minBlocks, 1)                                                                              \
	CONV_BACKWARD_DATA(C, tile, minBlocks, 1)                                                                        \
	CONV_BACKWARD_FILTER(C, tile, minBlocks, 1)

// CONV_BACKWARD_DATA defines conv2d_backward_data_<tile>_f32 alone,
// conv_backward_data<C, V>, as CONV_BACKWARD_FILTER below.
#define CONV_BACKWARD_DATA(C, tile, minBlocks, V)                                                                    \
	extern "C" __global__ void CONV_BOUNDS_##minBlocks(C)                                                            \
	    conv2d_backward_data_##tile##_f32(const float* dy, const float* wt, float* dx, CONV_PARAMS) {                \
		CONV_INIT;                                                                                                   \
		conv_backward_data<C, V>(dy, wt, dx, cv);                                                                    \
	}

// CONV_BACKWARD_FILTER defines conv2d_backward_filter_<tile>_f32 alone,
// conv_backward_filter<C, V>: CONV_KERNELS's with V = 1, the cp.async
// pipeline's (tile named <tile>_pipe, the tensor-core tiles) with V = 4.
#define CONV_BACKWARD_FILTER(C, tile, minBlocks, V)                                                                  \
	extern "C" __global__ void CONV_BOUNDS_##minBlocks(C) conv2d_backward_filter_##tile##_f32(                       \
	    const float* x, const float* dy, float* out, i64 splits, i64 mchunk, CONV_PARAMS) {                          \
		CONV_INIT;                                                                                                   \
		conv_backward_filter<C, V>(x, dy, out, cv, (int)splits, (int)mchunk);                                        \
	}

// CONV_FORWARD_BIAS defines conv2d_forward_bias_<tile>_f32, the forward
// pass with Conv2DBias's epilogue (gemm_tile.cuh's BiasReLU): bias (K,
// or null) added and, with relu, the ReLU taken as store writes each
// result, after its rounding to the tile's format. The grid is the
// forward's: blockIdx.z is the group. V as CONV_FORWARD's (4: the cp.async
// pipeline, tile named <tile>_pipe).
#define CONV_FORWARD_BIAS(C, tile, minBlocks, V)                                                                     \
	extern "C" __global__ void CONV_BOUNDS_##minBlocks(C) conv2d_forward_bias_##tile##_f32(                          \
	    const float* x, const float* wt, const float* bias, float* y, i64 relu, CONV_PARAMS) {                       \
		CONV_INIT;                                                                                                   \
		conv_forward<C, V>(x, wt, y, cv, BiasReLU{bias ? bias + blockIdx.z * cv.kg : nullptr, relu != 0});           \
	}
