//go:build !openblas

package cpu

import "golang.org/x/sys/cpu"

// init installs the AVX2/FMA assembly paths where the CPU has both.
func init() {
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		fastSgemm = packedSgemm
		directConv = convDirect
		directConvFlipped = convDirectFlipped
		winogradConv = convWinograd
		winogradFilterGrad = convWinogradFilter
		normSums16 = bnSums16
		normGradSums16 = bnGradSums16
		normAffine8 = bnAffine8
		normBackward8 = bnBackward8
	}
}

// kernel6x16 sets c (6, 16) to the sum over l < k of
// a[i*rowStride + l*kStride] * b[l*16 + j], with b packed by packB; k >= 1.
// It is written in sgemm_amd64.s.
//
//go:noescape
func kernel6x16(k int, a *float32, rowStride, kStride int, b, c *float32)
