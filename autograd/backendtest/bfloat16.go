package backendtest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gocnn/gocnn/autograd"
)

var (
	_ = register("Convert", testConvert)
	_ = register("BFloat16Activations", testBFloat16Activations)
)

// testConvert rounds random fp32 bit patterns (NaN, infinities and
// subnormals among them), ties and values past bf16's largest to bf16 and
// back: every value must come back as BF16.Round gives it, NaN as NaN.
func testConvert(t *testing.T, dev *autograd.Device) {
	rng := newRand(t)
	vals := []float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)), math.MaxFloat32,
		math.Float32frombits(0x3f808000), math.Float32frombits(0x3f818000), math.Float32frombits(0x00008000), math.Float32frombits(0x7f7f8000)}
	for range 4096 {
		bits := rng.Uint32()
		if rng.IntN(4) == 0 {
			bits = bits&0xffff0000 | 0x8000 // a tie
		}
		vals = append(vals, math.Float32frombits(bits))
	}
	defer dev.SetActivationDType(dev.ActivationDType())
	dev.SetActivationDType(autograd.BFloat16)
	h := autograd.Stored(autograd.FromFloat32s(dev, vals, len(vals)))
	if h.DType() != autograd.BFloat16 {
		t.Fatalf("Stored on a bfloat16 device gave %v", h.DType())
	}
	for i, got := range h.Float32s() {
		want := autograd.BF16.Round(vals[i])
		if want != want && got != got || sameBits(got, want) {
			continue
		}
		t.Errorf("%#08x: got %#08x, want %#08x", math.Float32bits(vals[i]), math.Float32bits(got), math.Float32bits(want))
		return
	}
}

// storedCase is an op applied to activations stored in bf16.
type storedCase struct {
	name   string
	inputs [][]int // activations, given to op stored in the device's dtype
	params [][]int // Float32 parameters, wanting gradients
	op     func(in, params []*autograd.Tensor) *autograd.Tensor
}

var storedCases = []storedCase{
	{"Conv2D", [][]int{{2, 5, 5, 3}}, [][]int{{4, 3, 3, 3}}, func(in, p []*autograd.Tensor) *autograd.Tensor {
		return autograd.Conv2D(in[0], p[0], autograd.Conv2DOptions{Padding: [2]int{1, 1}})
	}},
	{"Conv2D depthwise", [][]int{{2, 5, 5, 4}}, [][]int{{4, 3, 3, 1}}, func(in, p []*autograd.Tensor) *autograd.Tensor {
		return autograd.Conv2D(in[0], p[0], autograd.Conv2DOptions{Padding: [2]int{1, 1}, Groups: 4})
	}},
	{"Conv2D depthwise x2 strided", [][]int{{2, 6, 5, 3}}, [][]int{{6, 3, 3, 1}}, func(in, p []*autograd.Tensor) *autograd.Tensor {
		return autograd.Conv2D(in[0], p[0], autograd.Conv2DOptions{Stride: [2]int{2, 2}, Padding: [2]int{1, 1}, Groups: 3})
	}},
	{"Conv2DBiasReLU", [][]int{{2, 5, 5, 3}}, [][]int{{4, 3, 3, 3}, {4}}, func(in, p []*autograd.Tensor) *autograd.Tensor {
		return autograd.Conv2DBiasReLU(in[0], p[0], p[1], autograd.Conv2DOptions{Stride: [2]int{2, 2}, Padding: [2]int{1, 1}})
	}},
	{"BatchNorm", [][]int{{2, 3, 3, 4}}, [][]int{{4}, {4}}, func(in, p []*autograd.Tensor) *autograd.Tensor {
		dev := in[0].Device()
		return autograd.BatchNorm(in[0], p[0], p[1], autograd.Zeros(dev, 4), autograd.Full(dev, 1, 4), autograd.BatchNormOptions{Training: true})
	}},
	{"BatchNormReLU residual", [][]int{{2, 3, 3, 4}, {2, 3, 3, 4}}, [][]int{{4}, {4}}, func(in, p []*autograd.Tensor) *autograd.Tensor {
		dev := in[0].Device()
		return autograd.BatchNormReLU(in[0], p[0], p[1], autograd.Zeros(dev, 4), autograd.Full(dev, 1, 4), in[1], autograd.BatchNormOptions{Training: true})
	}},
	{"BatchNormReLU eval residual", [][]int{{2, 3, 3, 4}, {2, 3, 3, 4}}, [][]int{{4}, {4}}, func(in, p []*autograd.Tensor) *autograd.Tensor {
		dev := in[0].Device()
		return autograd.BatchNormReLU(in[0], p[0], p[1], autograd.Full(dev, 0.25, 4), autograd.Full(dev, 2, 4), in[1], autograd.BatchNormOptions{})
	}},
	{"ReLU", [][]int{{3, 7}}, nil, func(in, _ []*autograd.Tensor) *autograd.Tensor { return autograd.ReLU(in[0]) }},
	{"HardSwish", [][]int{{3, 7}}, nil, func(in, _ []*autograd.Tensor) *autograd.Tensor { return autograd.HardSwish(in[0]) }},
	{"Add", [][]int{{3, 7}, {3, 7}}, nil, func(in, _ []*autograd.Tensor) *autograd.Tensor { return autograd.Add(in[0], in[1]) }},
	{"Mul", [][]int{{3, 7}, {3, 7}}, nil, func(in, _ []*autograd.Tensor) *autograd.Tensor { return autograd.Mul(in[0], in[1]) }},
	{"AddBias", [][]int{{3, 7}}, [][]int{{7}}, func(in, p []*autograd.Tensor) *autograd.Tensor { return autograd.AddBias(in[0], p[0]) }},
	{"MaxPool2D", [][]int{{2, 5, 5, 3}}, nil, func(in, _ []*autograd.Tensor) *autograd.Tensor {
		return autograd.MaxPool2D(in[0], autograd.PoolOptions{Kernel: [2]int{3, 3}, Stride: [2]int{2, 2}, Padding: [2]int{1, 1}})
	}},
	{"AvgPool2D", [][]int{{2, 4, 4, 3}}, nil, func(in, _ []*autograd.Tensor) *autograd.Tensor {
		return autograd.AvgPool2D(in[0], autograd.PoolOptions{Kernel: [2]int{2, 2}})
	}},
	{"GlobalAvgPool", [][]int{{2, 4, 4, 3}}, nil, func(in, _ []*autograd.Tensor) *autograd.Tensor { return autograd.GlobalAvgPool(in[0]) }},
	{"AdaptiveAvgPool2D", [][]int{{2, 5, 5, 3}}, nil, func(in, _ []*autograd.Tensor) *autograd.Tensor { return autograd.AdaptiveAvgPool2D(in[0], 3, 3) }},
	{"Concat", [][]int{{2, 3, 3, 2}, {2, 3, 3, 5}}, nil, func(in, _ []*autograd.Tensor) *autograd.Tensor { return autograd.Concat(in[0], in[1]) }},
	{"Narrow", [][]int{{2, 3, 3, 5}}, nil, func(in, _ []*autograd.Tensor) *autograd.Tensor { return autograd.Narrow(in[0], 1, 3) }},
	{"Linear", [][]int{{3, 6}}, [][]int{{5, 6}, {5}}, func(in, p []*autograd.Tensor) *autograd.Tensor { return autograd.Linear(in[0], p[0], p[1]) }},
	{"ScaleChannels", [][]int{{2, 3, 3, 4}, {2, 4}}, nil, func(in, _ []*autograd.Tensor) *autograd.Tensor { return autograd.ScaleChannels(in[0], in[1]) }},
	{"Upsample", [][]int{{1, 3, 3, 2}}, nil, func(in, _ []*autograd.Tensor) *autograd.Tensor { return autograd.Upsample(in[0], 5, 6, false) }},
	{"Dropout", [][]int{{3, 7}}, nil, func(in, _ []*autograd.Tensor) *autograd.Tensor {
		in[0].Device().SeedDropout(5)
		return autograd.Dropout(in[0], 0.5, true)
	}},
	{"LRN", [][]int{{1, 2, 2, 6}}, nil, func(in, _ []*autograd.Tensor) *autograd.Tensor {
		return autograd.LRN(in[0], autograd.LRNOptions{Size: 3, Alpha: 1e-4, Beta: 0.75, K: 2})
	}},
	{"MatMul", [][]int{{3, 6}, {6, 2}}, nil, func(in, _ []*autograd.Tensor) *autograd.Tensor { return autograd.MatMul(in[0], in[1]) }},
	{"ConvTranspose2D", [][]int{{1, 3, 3, 2}}, [][]int{{2, 2, 2, 3}}, func(in, p []*autograd.Tensor) *autograd.Tensor {
		return autograd.ConvTranspose2D(in[0], p[0], autograd.ConvTranspose2DOptions{Stride: [2]int{2, 2}})
	}},
}

// testBFloat16Activations runs each op on bf16-stored inputs and checks
// it against the same op on Float32 storage, given the same (bf16-exact)
// values: the output must be the Float32 output rounded to bf16, bit for
// bit, and every gradient the same bits (gradients stay Float32, and
// every kernel reads the same widened values; a ReLU's mask keeps its
// sign through the rounding, as no output here is subnormal). It does so
// at fp32 and, where the backend computes in it, at bf16 precision, -amp
// bf16's.
func testBFloat16Activations(t *testing.T, dev *autograd.Device) {
	defer dev.SetActivationDType(dev.ActivationDType())
	precisions := []autograd.Precision{autograd.FP32}
	setter := precisionSetter(dev.Backend())
	if s, ok := setter.(autograd.PrecisionSupporter); setter != nil && (!ok || s.SupportsPrecision(autograd.BF16)) {
		precisions = append(precisions, autograd.BF16)
		defer setter.SetPrecision(autograd.FP32)
	}
	for _, p := range precisions {
		if setter != nil {
			setter.SetPrecision(p)
		}
		testStoredCases(t, dev, p)
	}
}

// testStoredCases is testBFloat16Activations at precision p.
func testStoredCases(t *testing.T, dev *autograd.Device, p autograd.Precision) {
	for _, c := range storedCases {
		rng := rand.New(rand.NewPCG(uint64(len(c.name)), 11))
		in := make([][]float32, len(c.inputs))
		for i, s := range c.inputs {
			in[i] = bf16Exact(randn(rng, autograd.Shape(s).Numel()))
		}
		params := make([][]float32, len(c.params))
		for i, s := range c.params {
			params[i] = randn(rng, autograd.Shape(s).Numel())
		}
		dy := []float32(nil)
		run := func(dt autograd.DType) (out []float32, outType autograd.DType, grads [][]float32) {
			dev.SetActivationDType(dt)
			leaves, ins := tensorsOf(dev, in, c.inputs), make([]*autograd.Tensor, len(in))
			for i, l := range leaves {
				ins[i] = autograd.Stored(l)
			}
			ps := tensorsOf(dev, params, c.params)
			y := c.op(ins, ps)
			if dy == nil {
				dy = randn(rng, y.Numel())
			}
			out, outType = y.Float32s(), y.DType()
			y.BackwardWith(autograd.FromFloat32s(dev, dy, y.Shape()...))
			for _, l := range append(leaves, ps...) {
				grads = append(grads, l.Grad().Float32s())
			}
			return out, outType, grads
		}
		want, _, wantGrads := run(autograd.Float32)
		got, gotType, gotGrads := run(autograd.BFloat16)
		name := fmt.Sprintf("%s on bfloat16 activations at %v", c.name, p)
		if gotType != autograd.BFloat16 {
			t.Errorf("%s: output stored as %v", name, gotType)
		}
		for i := range want {
			if !sameBits(got[i], autograd.BF16.Round(want[i])) {
				t.Errorf("%s: output %d = %v, want %v rounded to bf16 (%v)", name, i, got[i], want[i], autograd.BF16.Round(want[i]))
				break
			}
		}
		for g := range wantGrads {
			if i := firstDifferent(gotGrads[g], wantGrads[g]); i >= 0 {
				t.Errorf("%s: gradient %d, element %d = %v, want %v (as on float32 storage)", name, g, i, gotGrads[g][i], wantGrads[g][i])
			}
		}
	}
}

// tensorsOf returns one leaf tensor wanting a gradient per data slice.
func tensorsOf(dev *autograd.Device, data [][]float32, shapes [][]int) []*autograd.Tensor {
	ts := make([]*autograd.Tensor, len(data))
	for i := range data {
		ts[i] = autograd.FromFloat32s(dev, data[i], shapes[i]...).SetRequiresGrad(true)
	}
	return ts
}

// bf16Exact returns v with each element rounded to bfloat16.
func bf16Exact(v []float32) []float32 {
	for i := range v {
		v[i] = autograd.BF16.Round(v[i])
	}
	return v
}

// firstDifferent returns the first index where a and b differ in bits, or
// -1.
func firstDifferent(a, b []float32) int {
	for i := range a {
		if !sameBits(a[i], b[i]) {
			return i
		}
	}
	return -1
}
