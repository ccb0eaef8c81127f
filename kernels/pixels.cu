// The input pipeline's device half: images arrive as uint8 pixels (a
// quarter of the bytes of float32 ones) and are converted and normalised
// here. x: (rows, cols) uint8; scale, shift: (cols); y: (rows, cols).
#include "common.cuh"

// pixels_to_f32 sets y[r, c] = x[r, c]*scale[c] + shift[c].
extern "C" __global__ void pixels_to_f32(const unsigned char* x, const float* scale, const float* shift, float* y,
                                         i64 rows, i64 cols) {
	GRID_STRIDE(i, rows * cols) {
		i64 c = i % cols;
		y[i] = (float)x[i] * scale[c] + shift[c];
	}
}
