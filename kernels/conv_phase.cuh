// The output phases of a convolution's backward-data pass. Input pixel h
// (one spatial axis) takes the gradient of output p through tap r when
//   p*stride = h + pad - r*dil,
// so for a stride above 1 most (h, r) pairs meet no output: multiplying
// them out would be multiplying by zeros (3/4 of the work at stride 2).
// Split the inputs by phase a = (h + pad) mod stride instead: within a
// phase only the taps with r*dil = a (mod stride) reach an output, and
// the outputs they reach step by one as h steps by the stride, so each
// phase's gradient is a dense implicit GEMM over its pixels and its taps.
#pragma once
#include "conv.cuh"

// PhaseAxis is phase a of one spatial axis (size inputs, r taps):
//   inputs  h = first + i*stride,       i in [0, count)
//   taps    r = r0 + j*rstep,           j in [0, taps)
//   outputs p = o0 + i - j*ostep        (out of range: no contribution)
// With d = gcd(dil, stride): r*dil = a (mod stride) has solutions only
// when d divides a, and then they step by rstep = stride/d, from the
// least one r0 < rstep; each tap step moves the output by ostep = dil/d.
// o0 = (first + pad - r0*dil) / stride, an exact division. At stride 1
// there is one phase, every tap, o0 = pad and ostep = dil; at dilation 1
// the taps are r = a, a + stride, ...
struct PhaseAxis {
	int first, count, r0, rstep, taps, o0, ostep;

	__device__ __forceinline__ PhaseAxis(int a, int size, int pad, int stride, int dil, int r) {
		first = ((a - pad) % stride + stride) % stride;
		count = first < size ? (size - first + stride - 1) / stride : 0;
		int d = stride, e = dil; // d = gcd(dil, stride)
		while (e != 0) {
			int t = d % e;
			d = e, e = t;
		}
		rstep = stride / d, ostep = dil / d;
		r0 = -1;
		for (int t = 0; t < rstep && r0 < 0; t++)
			if ((t * dil - a) % stride == 0) r0 = t;
		taps = r0 >= 0 && r0 < r ? (r - r0 + rstep - 1) / rstep : 0;
		if (r0 < 0) r0 = 0;
		o0 = (first + pad - r0 * dil) / stride;
	}
};

// Phase is one of the strideH*strideW phases of a backward-data pass,
// ph = ah*strideW + aw: its pixels are the m = N*y.count*x.count inputs
// (n, first_y + i*strideH, first_x + iw*strideW), GEMM row (n, i, iw)
// with iw fastest, and its reduction runs over y.taps*x.taps*Kg indices
// (j, js, k) with k fastest. A phase may have no pixels (an input smaller
// than the stride) or no taps (a 1x1 filter at stride 2 reaches only
// phase 0: the other phases' gradient is zero).
struct Phase {
	PhaseAxis y, x;
	int m;

	__device__ __forceinline__ Phase(const Conv& cv, int ph)
	    : y(ph / cv.strideW, cv.h, cv.padH, cv.strideH, cv.dilH, cv.r),
	      x(ph % cv.strideW, cv.w, cv.padW, cv.strideW, cv.dilW, cv.s), m(cv.n * y.count * x.count) {}

	// reduction is the length of the phase's reduction.
	__device__ __forceinline__ int reduction(const Conv& cv) const { return y.taps * x.taps * cv.kg; }
};

// PhaseRows maps a phase's GEMM row (n, i, iw) to the offset of its
// pixel in the NHWC input gradient, for store.
struct PhaseRows {
	int count, cx, h, w, c, firstY, firstX, strideH, strideW;

	__device__ __forceinline__ PhaseRows(const Conv& cv, const Phase& ph)
	    : count(ph.y.count * ph.x.count), cx(ph.x.count), h(cv.h), w(cv.w), c(cv.c), firstY(ph.y.first),
	      firstX(ph.x.first), strideH(cv.strideH), strideW(cv.strideW) {}

	__device__ __forceinline__ i64 operator()(int row) const {
		int img = row / count, i = row % count / cx, iw = row % cx;
		return (((i64)img * h + firstY + i * strideH) * w + firstX + iw * strideW) * c;
	}
};

// TapCursor walks one loader element's reduction index (j, js, k), k
// fastest below kg, js below the phase's x.taps (sx), by step a time.
struct TapCursor {
	int j, js, k;

	__device__ __forceinline__ void start(int kk, int kg, int sx) {
		k = kk % kg;
		js = kk / kg % sx;
		j = kk / kg / sx;
	}
	__device__ __forceinline__ void advance(int step, int kg, int sx) {
		k += step;
		while (k >= kg) {
			k -= kg;
			if (++js == sx) js = 0, j++;
		}
	}
};
