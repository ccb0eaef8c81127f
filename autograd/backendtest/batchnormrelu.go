package backendtest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gocnn/gocnn/autograd"
)

var _ = register("BatchNormReLU", testBatchNormReLU)

// testBatchNormReLU checks the fused relu(BatchNorm(x) + residual) against
// its float64 reference and central differences, with and without a
// residual, training and eval, at channel counts a vector kernel may cover
// (8, 16) or not (7, 5); then that it equals the three ops it replaces bit
// for bit, running statistics included (testBatchNormReLUExact).
func testBatchNormReLU(t *testing.T, dev *autograd.Device) {
	rng := newRand(t)
	for _, shape := range [][]int{{3, 4, 5, 16}, {2, 3, 4, 8}, {2, 3, 1, 7}, {7, 5}} {
		for _, residual := range []bool{false, true} {
			for _, o := range []autograd.BatchNormOptions{{Training: true}, {Eps: 1e-2}} {
				checkBatchNormReLU(t, dev, rng, shape, residual, o)
				testBatchNormReLUExact(t, dev, rng, shape, residual, o)
			}
		}
	}
}

func checkBatchNormReLU(t *testing.T, dev *autograd.Device, rng *rand.Rand, shape []int, residual bool, o autograd.BatchNormOptions) {
	t.Helper()
	c := shape[len(shape)-1]
	eps := 1e-5
	if o.Eps != 0 {
		eps = float64(o.Eps)
	}
	eps = float64(float32(eps))
	inputs := bnInputs(rng, shape, 3, 2)
	if residual {
		inputs = append(inputs, input{shape: shape, data: randn(rng, len(inputs[0].data)), grad: true})
	}
	name := fmt.Sprintf("BatchNormReLU %v training=%v residual=%v", shape, o.Training, residual)
	var skip []int
	if o.Training {
		skip = []int{3, 4} // the running statistics are updated
	}
	check(t, dev, opCase{
		name:   name,
		inputs: inputs,
		forward: func(in []*autograd.Tensor) *autograd.Tensor {
			var r *autograd.Tensor
			if residual {
				r = in[5]
			}
			return autograd.BatchNormReLU(in[0], in[1], in[2], in[3], in[4], r, o)
		},
		ref: func(in [][]float64) []float64 {
			mean, variance := in[3], in[4]
			if o.Training {
				mean, variance = bnStats(in[0], c)
			}
			out := bnRef(in[0], in[1], in[2], mean, variance, eps)
			for i := range out {
				if residual {
					out[i] += in[5][i]
				}
				out[i] = math.Max(out[i], 0)
			}
			return out
		},
		atol: 1e-5, rtol: 1e-5,
		skipInputCheck: skip,
	})
}

// testBatchNormReLUExact checks that BatchNormReLU's output, every
// gradient and the running statistics it leaves equal, bit for bit, those
// of BatchNorm, Add and ReLU applied one after the other: the fusion
// changes the passes over memory, not the arithmetic.
func testBatchNormReLUExact(t *testing.T, dev *autograd.Device, rng *rand.Rand, shape []int, residual bool, o autograd.BatchNormOptions) {
	t.Helper()
	in := bnInputs(rng, shape, 3, 2)
	in = append(in, input{shape: shape, data: randn(rng, len(in[0].data)), grad: true})
	upstream := randn(rng, len(in[0].data))
	run := func(fused bool) [][]float32 {
		ts := make([]*autograd.Tensor, len(in))
		for i, v := range in {
			ts[i] = autograd.FromFloat32s(dev, v.data, v.shape...).SetRequiresGrad(v.grad)
		}
		var y *autograd.Tensor
		switch {
		case fused && residual:
			y = autograd.BatchNormReLU(ts[0], ts[1], ts[2], ts[3], ts[4], ts[5], o)
		case fused:
			y = autograd.BatchNormReLU(ts[0], ts[1], ts[2], ts[3], ts[4], nil, o)
		case residual:
			y = autograd.ReLU(autograd.Add(autograd.BatchNorm(ts[0], ts[1], ts[2], ts[3], ts[4], o), ts[5]))
		default:
			y = autograd.ReLU(autograd.BatchNorm(ts[0], ts[1], ts[2], ts[3], ts[4], o))
		}
		out := [][]float32{y.Float32s(), ts[3].Float32s(), ts[4].Float32s()}
		y.BackwardWith(autograd.FromFloat32s(dev, upstream, shape...))
		for _, i := range []int{0, 1, 2, 5} {
			if g := ts[i].Grad(); g != nil {
				out = append(out, g.Float32s())
			} else if i != 5 || residual {
				t.Errorf("BatchNormReLU %v: no gradient reached input %d", shape, i)
			}
		}
		return out
	}
	fused, plain := run(true), run(false)
	what := []string{"output", "running mean", "running variance", "dx", "dgamma", "dbeta", "dresidual"}
	for i := range plain {
		if i >= len(fused) || !slices.EqualFunc(fused[i], plain[i], sameBits) {
			t.Errorf("BatchNormReLU %v training=%v residual=%v: %s differs from BatchNorm, Add and ReLU", shape, o.Training, residual, what[i])
		}
	}
}
