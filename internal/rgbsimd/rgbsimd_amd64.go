package rgbsimd

import "golang.org/x/sys/cpu"

// Enabled is true where the CPU has AVX2 and FMA.
var Enabled = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// U8ToF32 sets dst[i] = float32(src[i]) for i < n, a multiple of 8.
//
//go:noescape
func U8ToF32(dst *float32, src *uint8, n int)

// HorizontalRGB filters q RGB output pixels from the float row src: for
// output j, dst[3j:3j+3] is the sum over k < count[j] of w[j*stride+k]
// times src[3(start[j]+k):+3]. It loads 4 floats per tap, so src must hold
// one float past the last pixel read.
//
//go:noescape
func HorizontalRGB(dst, src *float32, start, count *int, w *float32, stride, q int)

// VerticalRGB sums n rows of tmp, row floats apart, weighted by w, for
// length floats (a multiple of 24), clamps the sums to [aff[48], aff[49]]
// and maps float i by the scale aff[i%24] and shift aff[24+i%24] into dst.
//
//go:noescape
func VerticalRGB(dst, tmp *float32, row int, w *float32, n, length int, aff *[50]float32)

// F32ToU8 sets dst[i] = uint8(src[i]), truncated, for i < n, a multiple
// of 32; every src[i] must lie in [0, 256).
//
//go:noescape
func F32ToU8(dst *uint8, src *float32, n int)
