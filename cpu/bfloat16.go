package cpu

import (
	"fmt"
	"math"
	"slices"

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

// viaFloat32 runs call, a kernel written for Float32 buffers, when some of
// the activations ins (read) and outs (written) are BFloat16: those are
// widened into scratch first, and the outs rounded back after; nil ones
// stay nil. It reports false and does nothing when none is BFloat16, for
// the caller to run on the buffers as they are.
func (b *Backend) viaFloat32(ins, outs []autograd.Buffer, call func(ins, outs []autograd.Buffer)) bool {
	all := slices.Concat(ins, outs)
	if !slices.ContainsFunc(all, isBFloat16) {
		return false
	}
	wide := make([]autograd.Buffer, len(all))
	for i, buf := range all {
		h, ok := buf.(b16)
		if !ok {
			wide[i] = buf
			continue
		}
		wide[i] = f32(b.scratch(len(h)))
		if i < len(ins) {
			b.Convert(wide[i], h)
		}
	}
	call(wide[:len(ins)], wide[len(ins):])
	for i, buf := range all {
		if isBFloat16(buf) {
			if i >= len(ins) {
				b.Convert(buf, wide[i])
			}
			b.recycle(floats(wide[i]))
		}
	}
	return true
}

// isBFloat16 reports whether buf is a BFloat16 buffer (nil is not).
func isBFloat16(buf autograd.Buffer) bool {
	_, ok := buf.(b16)
	return ok
}
