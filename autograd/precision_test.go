package autograd

import (
	"math"
	"testing"
)

// TestPrecisionRound checks rounding against hand-worked cases: halfway
// cases go to the even significand, carries reach the exponent, NaN and
// the infinities pass, and overflow gives infinity.
func TestPrecisionRound(t *testing.T) {
	for _, c := range []struct {
		p    Precision
		in   float32
		want float32
	}{
		{BF16, 1 + 1.0/256, 1},           // halfway, to the even 1
		{BF16, 1 + 3.0/256, 1 + 4.0/256}, // halfway, to the even 1+2/128
		{BF16, 1 + 1.0/256 + 1.0/4096, 1 + 1.0/128},
		{BF16, -(1 + 1.0/256 + 1.0/4096), -(1 + 1.0/128)},
		{BF16, 1.9999, 2}, // carry into the exponent
		{BF16, 3.1415927, 3.140625},
		{TF32, 1 + 1.0/2048, 1}, // halfway, to the even 1
		{TF32, 1 + 3.0/2048, 1 + 2.0/1024},
		{TF32, 1 + 1.0/4096, 1},
		{TF32, 3.1415927, 3.140625},
		{BF16, float32(math.Inf(1)), float32(math.Inf(1))},
		{BF16, math.MaxFloat32, float32(math.Inf(1))},
		{FP32, 1 + 1.0/4096, 1 + 1.0/4096},
		{BF16, 0, 0},
	} {
		if got := c.p.Round(c.in); got != c.want {
			t.Errorf("%v.Round(%v) = %v, want %v", c.p, c.in, got, c.want)
		}
	}
	if v := BF16.Round(float32(math.NaN())); v == v {
		t.Errorf("BF16.Round(NaN) = %v", v)
	}
	// A signalling NaN's payload is all in the bits rounding drops.
	if v := BF16.Round(math.Float32frombits(0x7f800001)); v == v {
		t.Errorf("BF16.Round of a NaN with a low payload = %v, want NaN", v)
	}
	for _, p := range []Precision{TF32, BF16} {
		for _, v := range []float32{1.2345678, -7.654321e-3, 12345.678} {
			if r := p.Round(v); math.Abs(float64(r-v)) > p.UnitRoundoff()*math.Abs(float64(v)) || p.Round(r) != r {
				t.Errorf("%v.Round(%v) = %v: beyond the unit roundoff %v, or not fixed", p, v, r, p.UnitRoundoff())
			}
		}
	}
	for _, name := range Precisions {
		if p, err := ParsePrecision(name); err != nil || p.String() != name {
			t.Errorf("ParsePrecision(%q) = %v, %v", name, p, err)
		}
	}
	if _, err := ParsePrecision("fp16"); err == nil {
		t.Error("ParsePrecision(fp16) accepted")
	}
}
