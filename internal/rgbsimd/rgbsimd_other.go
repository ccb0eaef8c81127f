//go:build !amd64

package rgbsimd

// Enabled is false: the kernels are written for amd64 only.
const Enabled = false

// U8ToF32 is not available on this architecture.
func U8ToF32(dst *float32, src *uint8, n int) { panic("rgbsimd: no kernels on this architecture") }

// HorizontalRGB is not available on this architecture.
func HorizontalRGB(dst, src *float32, start, count *int, w *float32, stride, q int) {
	panic("rgbsimd: no kernels on this architecture")
}

// VerticalRGB is not available on this architecture.
func VerticalRGB(dst, tmp *float32, row int, w *float32, n, length int, aff *[50]float32) {
	panic("rgbsimd: no kernels on this architecture")
}

// F32ToU8 is not available on this architecture.
func F32ToU8(dst *uint8, src *float32, n int) { panic("rgbsimd: no kernels on this architecture") }
