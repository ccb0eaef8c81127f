// Dropout masks from a counter-based generator: element i of the mask keyed
// by seed draws the 24 high bits of splitmix64(seed + i), exactly as
// autograd.DropoutUniform, so every backend drops the same units.
#include "common.cuh"

__device__ __forceinline__ unsigned long long splitmix64(unsigned long long x) {
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

// dropout_mask_f32 sets mask[i] to 0 when the draw is below p, else keep
// (1/(1-p), computed by the caller in float32 as the CPU backend does).
extern "C" __global__ void dropout_mask_f32(float* mask, i64 n, unsigned long long seed, float p, float keep) {
	GRID_STRIDE(i, n) {
		float u = (float)(splitmix64(seed + (unsigned long long)i) >> 40) / 16777216.f;
		mask[i] = u < p ? 0.f : keep;
	}
}
