package autograd

import (
	"fmt"
	"math"
)

// Precision is the arithmetic of convolutions and matrix products: fp32,
// or a tensor-core format of mixed-precision training (-amp), in which
// both operands and the result are rounded to the format while the sums
// accumulate in fp32, as PyTorch's autocast computes them. Everything else
// (batch norm, softmax, the loss, reductions, the optimizer and its fp32
// master weights) stays fp32.
type Precision uint8

const (
	// FP32 computes in IEEE single precision (24-bit significand).
	FP32 Precision = iota
	// TF32 rounds to NVIDIA's TensorFloat-32: fp32's exponent, an 11-bit
	// significand.
	TF32
	// BF16 rounds to bfloat16: fp32's exponent, an 8-bit significand.
	BF16
)

// Precisions lists the names ParsePrecision takes, as -amp spells them.
var Precisions = []string{"fp32", "tf32", "bf16"}

// ParsePrecision returns the Precision called s (see Precisions).
func ParsePrecision(s string) (Precision, error) {
	for i, name := range Precisions {
		if s == name {
			return Precision(i), nil
		}
	}
	return FP32, fmt.Errorf("precision %q: want one of %v", s, Precisions)
}

// String returns the precision's name.
func (p Precision) String() string {
	if int(p) < len(Precisions) {
		return Precisions[p]
	}
	return fmt.Sprintf("Precision(%d)", uint8(p))
}

// droppedBits returns how many low bits of an fp32 significand p drops.
func (p Precision) droppedBits() uint {
	switch p {
	case TF32:
		return 13
	case BF16:
		return 16
	}
	return 0
}

// Round returns v rounded to p, to nearest with ties to even (as CUDA's
// __float2bfloat16_rn); NaN stays NaN and values beyond p's largest
// finite one become infinite, as in fp32.
func (p Precision) Round(v float32) float32 {
	drop := p.droppedBits()
	if drop == 0 || v != v {
		return v
	}
	bits := math.Float32bits(v)
	half := uint32(1)<<(drop-1) - 1
	bits += half + (bits>>drop)&1
	return math.Float32frombits(bits &^ (uint32(1)<<drop - 1))
}

// UnitRoundoff returns the largest relative error of Round: half the gap
// between 1 and the next value of p (2^-24 for fp32, 2^-11 for tf32, 2^-8
// for bf16).
func (p Precision) UnitRoundoff() float64 { return math.Ldexp(1, -24+int(p.droppedBits())) }

// PrecisionSetter is a Backend whose convolutions and GEMMs can compute in
// a Precision other than fp32.
type PrecisionSetter interface {
	// SetPrecision makes Conv2D, its two backward passes and Gemm compute
	// in p from then on.
	SetPrecision(p Precision)
}

// PrecisionSupporter is a PrecisionSetter that computes in some
// precisions only (a GPU backend without kernels for a format); a
// PrecisionSetter without this method takes every Precision.
type PrecisionSupporter interface {
	// SupportsPrecision reports whether SetPrecision takes p.
	SupportsPrecision(p Precision) bool
}
