package backendtest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gocnn/gocnn/autograd"
)

var _ = register("Conv2DBiasReLU", testConv2DBiasReLU)

// convBiasCases are the geometries the fused epilogue is checked on: each
// path a backend may take for a forward pass (3x3 stride 1, which the CPU
// computes by Winograd where its rule allows; strided and ragged direct
// convolutions; a pointwise product; groups; depthwise; a filter bank
// wider than one 64-column tile).
var convBiasCases = []convCase{convCases[1], convCases[4], convCases[5], convCases[8], convCases[11], convCases[12], convCases[19]}

// testConv2DBiasReLU checks Conv2DBias and Conv2DBiasReLU against their
// float64 references and central differences, then that each equals
// Conv2D, AddBias (and ReLU) applied one after the other bit for bit,
// output and every gradient, at fp32 and, where the backend has them, at
// tf32 and bf16 (testConv2DBiasExact): the fusion changes the passes over
// memory, not the arithmetic.
func testConv2DBiasReLU(t *testing.T, dev *autograd.Device) {
	rng := newRand(t)
	for _, cc := range convBiasCases {
		for _, relu := range []bool{true, false} {
			checkConv2DBias(t, dev, rng, cc, relu)
		}
	}
	precisions := []autograd.Precision{autograd.FP32}
	setter := precisionSetter(dev.Backend())
	if setter != nil {
		defer setter.SetPrecision(autograd.FP32)
		for _, p := range []autograd.Precision{autograd.TF32, autograd.BF16} {
			if s, ok := setter.(autograd.PrecisionSupporter); !ok || s.SupportsPrecision(p) {
				precisions = append(precisions, p)
			}
		}
	}
	for _, p := range precisions {
		if setter != nil {
			setter.SetPrecision(p)
		}
		for _, cc := range convBiasCases {
			for _, relu := range []bool{true, false} {
				testConv2DBiasExact(t, dev, rng, p, cc, relu)
			}
		}
	}
}

// convBiasOp is Conv2DBiasReLU with relu, Conv2DBias without.
func convBiasOp(x, w, b *autograd.Tensor, o autograd.Conv2DOptions, relu bool) *autograd.Tensor {
	if relu {
		return autograd.Conv2DBiasReLU(x, w, b, o)
	}
	return autograd.Conv2DBias(x, w, b, o)
}

func checkConv2DBias(t *testing.T, dev *autograd.Device, rng *rand.Rand, cc convCase, relu bool) {
	t.Helper()
	p := cc.params()
	xShape, wShape := []int{cc.n, cc.h, cc.w, cc.c}, []int{cc.k, cc.r, cc.s, cc.c / p.Groups}
	check(t, dev, opCase{
		name: fmt.Sprintf("Conv2DBias relu=%v %s", relu, cc.name),
		inputs: []input{
			{shape: xShape, data: randn(rng, prod(xShape)), grad: true},
			{shape: wShape, data: randn(rng, prod(wShape)), grad: true},
			{shape: []int{cc.k}, data: randn(rng, cc.k), grad: true},
		},
		forward: func(in []*autograd.Tensor) *autograd.Tensor { return convBiasOp(in[0], in[1], in[2], cc.o, relu) },
		ref: func(in [][]float64) []float64 {
			y := convRef(p, in[0], in[1])
			for i := range y {
				y[i] += in[2][i%cc.k]
				if relu {
					y[i] = math.Max(y[i], 0)
				}
			}
			return y
		},
		atol: 1e-4, rtol: 1e-4,
	})
}

// testConv2DBiasExact checks that the fused op's output and gradients
// (x, w, bias) equal those of Conv2D, AddBias and, with relu, ReLU, bit
// for bit, at the backend's current precision p.
func testConv2DBiasExact(t *testing.T, dev *autograd.Device, rng *rand.Rand, p autograd.Precision, cc convCase, relu bool) {
	t.Helper()
	cp := cc.params()
	xShape, wShape := []int{cc.n, cc.h, cc.w, cc.c}, []int{cc.k, cc.r, cc.s, cc.c / cp.Groups}
	x, w, bias := randn(rng, prod(xShape)), randn(rng, prod(wShape)), randn(rng, cc.k)
	upstream := randn(rng, cc.n*cp.P()*cp.Q()*cc.k)
	run := func(fused bool) [][]float32 {
		xt := autograd.FromFloat32s(dev, x, xShape...).SetRequiresGrad(true)
		wt := autograd.FromFloat32s(dev, w, wShape...).SetRequiresGrad(true)
		bt := autograd.FromFloat32s(dev, bias, cc.k).SetRequiresGrad(true)
		var y *autograd.Tensor
		if fused {
			y = convBiasOp(xt, wt, bt, cc.o, relu)
		} else {
			y = autograd.AddBias(autograd.Conv2D(xt, wt, cc.o), bt)
			if relu {
				y = autograd.ReLU(y)
			}
		}
		out := [][]float32{y.Float32s()}
		y.BackwardWith(autograd.FromFloat32s(dev, upstream, y.Shape()...))
		for _, in := range []*autograd.Tensor{xt, wt, bt} {
			if g := in.Grad(); g != nil {
				out = append(out, g.Float32s())
			} else {
				t.Errorf("%v Conv2DBias %s: an input got no gradient", p, cc.name)
			}
		}
		return out
	}
	fused, plain := run(true), run(false)
	what := []string{"output", "dx", "dw", "dbias"}
	for i := range plain {
		if i >= len(fused) || !slices.EqualFunc(fused[i], plain[i], sameBits) {
			t.Errorf("%v Conv2DBias relu=%v %s: %s differs from Conv2D, AddBias and ReLU", p, relu, cc.name, what[i])
		}
	}
}
