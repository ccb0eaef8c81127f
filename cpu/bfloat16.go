package cpu

import (
	"fmt"
	"math"

	"github.com/gocnn/gocnn/autograd"
)

// b16 is a BFloat16 buffer in host memory: each element the upper 16
// bits of a float32.
type b16 []uint16

// Len returns the number of elements.
func (b b16) Len() int { return len(b) }

// DType returns autograd.BFloat16.
func (b16) DType() autograd.DType { return autograd.BFloat16 }

func bfloat16s(b autograd.Buffer) b16 {
	v, ok := b.(b16)
	if !ok {
		panic(fmt.Sprintf("cpu: want a cpu bfloat16 buffer, got %T", b))
	}
	return v
}

// Convert copies src into dst, rounding Float32 to BFloat16 to nearest
// even (NaN becoming 0x7fff, as the GPU's cvt.rn.bf16.f32) or widening
// BFloat16 to Float32 exactly.
func (b *Backend) Convert(dst, src autograd.Buffer) {
	switch d := dst.(type) {
	case b16:
		s := floats(src)
		mustLen("Convert", len(d), len(s))
		b.parallelFor(len(d), elementGrain, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				d[i] = bfloat16Bits(s[i])
			}
		})
	case f32:
		s := bfloat16s(src)
		mustLen("Convert", len(d), len(s))
		b.parallelFor(len(d), elementGrain, func(lo, hi int) {
			for i := lo; i < hi; i++ {
				d[i] = math.Float32frombits(uint32(s[i]) << 16)
			}
		})
	default:
		panic(fmt.Sprintf("cpu: Convert into %T", dst))
	}
}

// bfloat16Bits returns v rounded to bfloat16 (autograd.BF16.Round) as its
// 16 bits, NaN as the quiet NaN 0x7fff.
func bfloat16Bits(v float32) uint16 {
	if v != v {
		return 0x7fff
	}
	return uint16(math.Float32bits(autograd.BF16.Round(v)) >> 16)
}
