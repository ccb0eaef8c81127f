// Bilinear resizing of NHWC images with PyTorch's source coordinates,
// forward and backward. The backward is separable and gathers: a pass
// along W into (N, OutH, W, C), then one along H into dx, each input
// element summing the outputs that sample it in a fixed order.
#include "common.cuh"

struct Tap {
	i64 i0, i1;
	float w0, w1;
};

// tap returns output coordinate d's two source indices and weights along
// an axis of in elements resized to out (cpu.bilinearTaps).
__device__ __forceinline__ Tap tap(i64 d, i64 in, i64 out, i64 alignCorners) {
	double src = 0;
	if (alignCorners && out > 1) {
		src = (double)d * (double)(in - 1) / (double)(out - 1);
	} else if (!alignCorners) {
		src = fmax(((double)d + 0.5) * (double)in / (double)out - 0.5, 0.0);
	}
	i64 i0 = min((i64)src, in - 1);
	i64 i1 = min(i0 + 1, in - 1);
	float l1 = (float)(src - (double)i0);
	Tap t = {i0, i1, 1.f - l1, l1};
	return t;
}

// sampling sets [lo, hi) to a range of output coordinates that holds every
// one whose taps include input i; callers check each tap exactly.
__device__ __forceinline__ void sampling(i64 i, i64 in, i64 out, i64* lo, i64* hi) {
	double ratio = (double)out / (double)in;
	*lo = max((i64)floor((double)(i - 1) * ratio) - 2, (i64)0);
	*hi = min((i64)ceil((double)(i + 2) * ratio) + 2, out);
	if (in <= 2 || out <= 2) {
		*lo = 0;
		*hi = out;
	}
}

extern "C" __global__ void upsample_f32(const float* x, float* y, i64 n, i64 h, i64 w, i64 c, i64 outH, i64 outW,
                                        i64 alignCorners) {
	GRID_STRIDE(o, n * outH * outW * c) {
		i64 ch = o % c, t = o / c, ow = t % outW, oh = (t / outW) % outH, img = t / (outW * outH);
		Tap th = tap(oh, h, outH, alignCorners), tw = tap(ow, w, outW, alignCorners);
		const float* r0 = x + ((img * h + th.i0) * w) * c + ch;
		const float* r1 = x + ((img * h + th.i1) * w) * c + ch;
		y[o] = th.w0 * (tw.w0 * r0[tw.i0 * c] + tw.w1 * r0[tw.i1 * c]) +
		       th.w1 * (tw.w0 * r1[tw.i0 * c] + tw.w1 * r1[tw.i1 * c]);
	}
}

// upsample_backward_w_f32 sets tmp[img, oh, iw, ch] to the sum over output
// columns ow of weight(ow -> iw) * dy[img, oh, ow, ch].
extern "C" __global__ void upsample_backward_w_f32(const float* dy, float* tmp, i64 n, i64 w, i64 c, i64 outH,
                                                   i64 outW, i64 alignCorners) {
	GRID_STRIDE(i, n * outH * w * c) {
		i64 ch = i % c, t = i / c, iw = t % w, row = t / w;
		i64 lo, hi;
		sampling(iw, w, outW, &lo, &hi);
		const float* g = dy + row * outW * c + ch;
		float sum = 0;
		for (i64 ow = lo; ow < hi; ow++) {
			Tap tw = tap(ow, w, outW, alignCorners);
			float wt = (tw.i0 == iw ? tw.w0 : 0.f) + (tw.i1 == iw ? tw.w1 : 0.f);
			if (wt != 0.f) sum += wt * g[ow * c];
		}
		tmp[i] = sum;
	}
}

// upsample_backward_h_f32 sets dx[img, ih, iw, ch] to the sum over output
// rows oh of weight(oh -> ih) * tmp[img, oh, iw, ch].
extern "C" __global__ void upsample_backward_h_f32(const float* tmp, float* dx, i64 n, i64 h, i64 w, i64 c, i64 outH,
                                                   i64 alignCorners) {
	GRID_STRIDE(i, n * h * w * c) {
		i64 inner = i % (w * c), t = i / (w * c), ih = t % h, img = t / h;
		i64 lo, hi;
		sampling(ih, h, outH, &lo, &hi);
		const float* g = tmp + img * outH * w * c + inner;
		float sum = 0;
		for (i64 oh = lo; oh < hi; oh++) {
			Tap th = tap(oh, h, outH, alignCorners);
			float wt = (th.i0 == ih ? th.w0 : 0.f) + (th.i1 == ih ? th.w1 : 0.f);
			if (wt != 0.f) sum += wt * g[oh * w * c];
		}
		dx[i] = sum;
	}
}
