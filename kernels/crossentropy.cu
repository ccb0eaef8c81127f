// Softmax cross-entropy over rows (classification: one row per image; per
// pixel: one row per pixel), with label smoothing and an ignore index.
// logits, probs: (rows, classes); labels: (rows).
//
// A label outside [0, classes) that is not ignored makes the row's loss
// NaN, so the mean loss is NaN: a kernel cannot panic like the CPU
// backend, and a NaN loss is what the training loop's guard stops on.
#include "common.cuh"

#define CE_WARPS 8

// ce_forward_f32 writes probs and, per block of CE_WARPS rows (one warp
// per row), the float64 sum of the rows' losses and the count of counted
// rows to partial[2*block] and partial[2*block+1].
extern "C" __global__ void ce_forward_f32(const float* logits, const int* labels, float* probs, double* partial,
                                          i64 rows, i64 classes, float smoothing, i64 ignore) {
	__shared__ double loss[CE_WARPS], count[CE_WARPS];
	int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
	i64 r = (i64)blockIdx.x * CE_WARPS + warp;
	double rowLoss = 0, counted = 0;
	if (r < rows) {
		const float* x = logits + r * classes;
		float m = -INFINITY;
		for (i64 j = lane; j < classes; j += 32) m = fmaxf(m, x[j]);
		for (int o = 16; o > 0; o >>= 1) m = fmaxf(m, __shfl_xor_sync(0xffffffff, m, o));
		double s = 0, sx = 0;
		for (i64 j = lane; j < classes; j += 32) {
			s += exp((double)x[j] - m);
			sx += x[j];
		}
		for (int o = 16; o > 0; o >>= 1) {
			s += __shfl_xor_sync(0xffffffff, s, o);
			sx += __shfl_xor_sync(0xffffffff, sx, o);
		}
		double lse = m + log(s);
		float* p = probs + r * classes;
		for (i64 j = lane; j < classes; j += 32) p[j] = (float)exp((double)x[j] - lse);
		int label = labels[r];
		if (label != ignore) {
			counted = 1;
			if (label < 0 || label >= classes) {
				rowLoss = nan("");
			} else {
				double eps = smoothing;
				double nll = lse - (double)x[label];
				rowLoss = (1 - eps) * nll + eps * ((double)classes * lse - sx) / (double)classes;
			}
		}
	}
	if (lane == 0) {
		loss[warp] = rowLoss;
		count[warp] = counted;
	}
	__syncthreads();
	if (threadIdx.x == 0) {
		double l = 0, n = 0;
		for (int w = 0; w < CE_WARPS; w++) {
			l += loss[w];
			n += count[w];
		}
		partial[2 * blockIdx.x] = l;
		partial[2 * blockIdx.x + 1] = n;
	}
}

// ce_finish_f32 adds the blocks' partial losses and counts in a fixed order
// and sets loss[0] to their mean (0 when no row counted). One block.
extern "C" __global__ void ce_finish_f32(const double* partial, i64 blocks, float* loss) {
	double l = 0, n = 0;
	for (i64 b = threadIdx.x; b < blocks; b += blockDim.x) {
		l += partial[2 * b];
		n += partial[2 * b + 1];
	}
	l = block_sum(l);
	__syncthreads();
	n = block_sum(n);
	if (threadIdx.x == 0) loss[0] = n > 0 ? (float)(l / n) : 0.f;
}

// ce_count_f32 writes per block the number of counted rows (as float64)
// to partial[block]; ce_scale_f32 turns them into dloss[0]/count.
extern "C" __global__ void ce_count_f32(const int* labels, i64 rows, i64 ignore, double* partial) {
	double n = 0;
	for (i64 r = (i64)blockIdx.x * blockDim.x + threadIdx.x; r < rows; r += (i64)gridDim.x * blockDim.x)
		n += labels[r] != ignore;
	n = block_sum(n);
	if (threadIdx.x == 0) partial[blockIdx.x] = n;
}

extern "C" __global__ void ce_scale_f32(const double* partial, i64 blocks, const float* dloss, float* scale) {
	double n = 0;
	for (i64 b = threadIdx.x; b < blocks; b += blockDim.x) n += partial[b];
	n = block_sum(n);
	if (threadIdx.x == 0) scale[0] = n > 0 ? dloss[0] / (float)n : 0.f;
}

// ce_backward_f32 sets dlogits = scale * (probs - target), target =
// (1-eps)*onehot + eps/classes, and zeros in ignored rows.
extern "C" __global__ void ce_backward_f32(const float* probs, const int* labels, const float* scale, float* dlogits,
                                           i64 rows, i64 classes, float smoothing, i64 ignore) {
	float sc = scale[0], uniform = smoothing / (float)classes;
	GRID_STRIDE(i, rows * classes) {
		i64 r = i / classes, j = i - r * classes;
		int label = labels[r];
		float g = 0;
		if (label != ignore) {
			g = sc * (probs[i] - uniform);
			if (j == label) g -= sc * (1 - smoothing);
			if (label < 0 || label >= classes) g = nanf("");
		}
		dlogits[i] = g;
	}
}

// TOPK_WARPS warps count top-k hits, one row per warp at a time; at most
// TOPK_MAX values of k.
#define TOPK_WARPS 32
#define TOPK_MAX 8

// topk_counts_f32 sets counts[j], for j < k, to the number of rows whose
// label's rank (logits greater than the label's, plus equal ones at lower
// indices) is at most j. A NaN label logit or a label outside
// [0, classes) counts in none. Integer counts summed in a fixed order: the
// result is exact and deterministic. One block of 32*TOPK_WARPS threads.
extern "C" __global__ void topk_counts_f32(const float* logits, const int* labels, i64 rows, i64 classes, i64 k,
                                           float* counts) {
	__shared__ i64 hits[TOPK_WARPS][TOPK_MAX];
	int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
	i64 mine[TOPK_MAX];
	for (int j = 0; j < TOPK_MAX; j++) mine[j] = 0;
	for (i64 r = warp; r < rows; r += TOPK_WARPS) {
		int label = labels[r];
		if (label < 0 || label >= classes) continue;
		const float* x = logits + r * classes;
		float v = x[label];
		if (v != v) continue;
		i64 rank = 0;
		for (i64 j = lane; j < classes; j += 32) rank += (x[j] > v || (x[j] == v && j < label)) ? 1 : 0;
		for (int o = 16; o > 0; o >>= 1) rank += __shfl_xor_sync(0xffffffff, rank, o);
		for (i64 j = rank; j < k; j++) mine[j]++;
	}
	if (lane == 0)
		for (int j = 0; j < TOPK_MAX; j++) hits[warp][j] = mine[j];
	__syncthreads();
	if (threadIdx.x < k) {
		i64 n = 0;
		for (int w = 0; w < TOPK_WARPS; w++) n += hits[w][threadIdx.x];
		counts[threadIdx.x] = (float)n;
	}
}
