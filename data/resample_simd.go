package data

import (
	"math"

	"github.com/gocnn/gocnn/internal/rgbsimd"
)

// simdKernels are the vector kernels of the RGB resampler
// (internal/rgbsimd); the zero value, on other architectures and on CPUs
// without AVX2 and FMA, leaves the pure-Go passes in charge.
type simdKernels struct {
	u8ToF32    func(dst *float32, src *uint8, n int)
	horizontal func(dst, src *float32, start, count *int, w *float32, stride, q int)
	vertical   func(dst, tmp *float32, row int, w *float32, n, length int, aff *[50]float32)
	f32ToU8    func(dst *uint8, src *float32, n int)
}

// simdRGB is set at start-up where the CPU has the vector kernels.
var simdRGB simdKernels

func init() {
	if rgbsimd.Enabled {
		simdRGB = simdKernels{u8ToF32: rgbsimd.U8ToF32, horizontal: rgbsimd.HorizontalRGB, vertical: rgbsimd.VerticalRGB,
			f32ToU8: rgbsimd.F32ToU8}
	}
}

// horizontalSIMD filters source rows [r0, r1) of the RGB image src into
// rs.tmp: each row widened to float32 (the columns any output reads) in
// rs.rowf, then filtered by the vector kernel.
func (rs *resampler) horizontalSIMD(src *Image, r0, r1 int) {
	a := &rs.x
	Q := len(a.count)
	if Q == 0 {
		return
	}
	x0, x1 := src.W, 0
	for q, n := range a.count {
		if n > 0 {
			x0 = min(x0, a.start[q])
			x1 = max(x1, a.start[q]+n)
		}
	}
	x1 = max(x0, x1)
	// One float past the row: the kernel loads 4 floats per RGB tap.
	rs.rowf = grow(rs.rowf, 3*src.W+1)
	lo, hi := 3*x0, 3*x1
	n8 := (hi - lo) &^ 7
	for r := r0; r < r1; r++ {
		pix := src.Pix[3*r*src.W+lo : 3*r*src.W+hi]
		f := rs.rowf[lo:hi]
		if n8 > 0 {
			simdRGB.u8ToF32(&f[0], &pix[0], n8)
		}
		for i := n8; i < len(f); i++ {
			f[i] = float32(pix[i])
		}
		simdRGB.horizontal(&rs.tmp[(r-r0)*Q*3], &rs.rowf[0], &a.start[0], &a.count[0], &a.w[0], a.stride, Q)
	}
}

// verticalSIMD filters rs.tmp (rows r0 on, row floats each) down the
// columns into out, normalised by scale and shift per channel, or into
// out8 when out is nil; clamp bounds the sums to [0, 255] first (bicubic's
// negative lobes overshoot; the 8-bit output always clamps).
func (rs *resampler) verticalSIMD(r0, row int, clamp bool, scale, shift []float32, out []float32, out8 []uint8) {
	aff := &rs.aff
	lo, hi := float32(math.Inf(-1)), float32(math.Inf(1))
	if clamp || out == nil {
		lo, hi = 0, 255
	}
	for i := range 24 {
		aff[i], aff[24+i] = 1, 0.5 // 8-bit output: rounded by truncation
		if out != nil {
			aff[i], aff[24+i] = scale[i%3], shift[i%3]
		}
	}
	aff[48], aff[49] = lo, hi
	n24 := row / 24 * 24
	rs.acc = grow(rs.acc, row)
	for p := range len(rs.y.count) {
		n, s := rs.y.count[p], rs.y.start[p]
		w := rs.y.w[p*rs.y.stride:]
		dst := rs.acc
		if out != nil {
			dst = out[p*row : (p+1)*row]
		}
		src := &aff[0] // not read when n == 0 (padding)
		if n > 0 {
			src = &rs.tmp[(s-r0)*row]
		}
		if n24 > 0 {
			simdRGB.vertical(&dst[0], src, row, &w[0], n, n24, aff)
		}
		for i := n24; i < row; i++ {
			var a float32
			for k := range n {
				a += w[k] * rs.tmp[(s-r0+k)*row+i]
			}
			dst[i] = float32(min(hi, max(lo, a))*aff[i%24]) + aff[24+i%24]
		}
		if out == nil {
			o := out8[p*row : (p+1)*row]
			n32 := row &^ 31
			if n32 > 0 {
				simdRGB.f32ToU8(&o[0], &dst[0], n32)
			}
			for i := n32; i < row; i++ {
				o[i] = uint8(dst[i])
			}
		}
	}
}
