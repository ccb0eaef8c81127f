package backendtest

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gocnn/gocnn/autograd"
)

var _ = register("BatchNorm", testBatchNorm)

// bnStats returns the per-channel mean and biased variance of x (M, C).
func bnStats(x []float64, c int) (mean, variance []float64) {
	m := float64(len(x) / c)
	mean, variance = make([]float64, c), make([]float64, c)
	for i, v := range x {
		mean[i%c] += v / m
	}
	for i, v := range x {
		d := v - mean[i%c]
		variance[i%c] += d * d / m
	}
	return mean, variance
}

// bnRef returns (x - mean)/sqrt(var + eps)*gamma + beta per channel.
func bnRef(x, gamma, beta, mean, variance []float64, eps float64) []float64 {
	c := len(gamma)
	out := make([]float64, len(x))
	for i, v := range x {
		j := i % c
		out[i] = (v-mean[j])/math.Sqrt(variance[j]+eps)*gamma[j] + beta[j]
	}
	return out
}

// bnInputs returns x (normal with the given mean and spread), gamma,
// beta, running mean and running variance for a last dimension c.
func bnInputs(rng *rand.Rand, shape []int, mean, spread float32) []input {
	c := shape[len(shape)-1]
	m := 1
	for _, d := range shape {
		m *= d
	}
	x := randn(rng, m)
	for i := range x {
		x[i] = mean + spread*x[i]
	}
	runVar := randn(rng, c)
	for i := range runVar {
		runVar[i] = 0.5 + float32(math.Abs(float64(runVar[i])))
	}
	return []input{
		{shape: shape, data: x, grad: true},
		{shape: []int{c}, data: randn(rng, c), grad: true},
		{shape: []int{c}, data: randn(rng, c), grad: true},
		{shape: []int{c}, data: randn(rng, c)},
		{shape: []int{c}, data: runVar},
	}
}

func testBatchNorm(t *testing.T, dev *autograd.Device) {
	rng := newRand(t)
	for _, shape := range [][]int{{3, 4, 5, 6}, {2, 3, 1, 7}, {7, 5}} {
		for _, o := range []autograd.BatchNormOptions{
			{Training: true},
			{Training: true, Eps: 1e-2},
			{},
			{Eps: 1e-2},
		} {
			eps := 1e-5
			if o.Eps != 0 {
				eps = float64(o.Eps)
			}
			c := shape[len(shape)-1]
			name := "BatchNorm eval"
			ref := func(in [][]float64) []float64 {
				return bnRef(in[0], in[1], in[2], in[3], in[4], float64(float32(eps)))
			}
			var skip []int
			if o.Training {
				name = "BatchNorm training"
				ref = func(in [][]float64) []float64 {
					mean, variance := bnStats(in[0], c)
					return bnRef(in[0], in[1], in[2], mean, variance, float64(float32(eps)))
				}
				skip = []int{3, 4} // the running statistics are updated
			}
			check(t, dev, opCase{
				name:   name,
				inputs: bnInputs(rng, shape, 3, 2),
				forward: func(in []*autograd.Tensor) *autograd.Tensor {
					return autograd.BatchNorm(in[0], in[1], in[2], in[3], in[4], o)
				},
				ref:  ref,
				atol: 1e-5, rtol: 1e-5,
				skipInputCheck: skip,
			})
		}
		testBatchNormRunning(t, dev, rng, shape)
	}
}

// testBatchNormRunning checks that a training step, even under NoGrad,
// blends the batch mean and unbiased variance into the running statistics
// with the given momentum (0.1 by default), and an eval step leaves them.
// A mean 2000 times the spread catches a variance taken as E[x^2] - E[x]^2
// in float32.
func testBatchNormRunning(t *testing.T, dev *autograd.Device, rng *rand.Rand, shape []int) {
	t.Helper()
	for _, tc := range []struct{ momentum, mean, spread float32 }{{0, 3, 2}, {0.3, 1000, 0.5}} {
		momentum := tc.momentum
		in := bnInputs(rng, shape, tc.mean, tc.spread)
		ts := make([]*autograd.Tensor, len(in))
		for i, v := range in {
			ts[i] = autograd.FromFloat32s(dev, v.data, v.shape...)
		}
		c := shape[len(shape)-1]
		m := len(in[0].data) / c
		mom := 0.1
		if momentum != 0 {
			mom = float64(momentum)
		}
		mean, variance := bnStats(toFloat64(in[0].data), c)
		wantMean, wantVar := make([]float64, c), make([]float64, c)
		for j := range c {
			wantMean[j] = (1-mom)*float64(in[3].data[j]) + mom*mean[j]
			wantVar[j] = (1-mom)*float64(in[4].data[j]) + mom*variance[j]*float64(m)/float64(m-1)
		}
		restore := dev.NoGrad()
		autograd.BatchNorm(ts[0], ts[1], ts[2], ts[3], ts[4], autograd.BatchNormOptions{Training: true, Momentum: momentum})
		restore()
		allClose(t, "BatchNorm running mean", ts[3].Float32s(), wantMean, 1e-6, 1e-5)
		allClose(t, "BatchNorm running variance", ts[4].Float32s(), wantVar, 1e-6, 1e-5)

		before := [2][]float32{ts[3].Float32s(), ts[4].Float32s()}
		autograd.BatchNorm(ts[0], ts[1], ts[2], ts[3], ts[4], autograd.BatchNormOptions{Momentum: momentum})
		allClose(t, "BatchNorm running mean after eval", ts[3].Float32s(), toFloat64(before[0]), 0, 0)
		allClose(t, "BatchNorm running variance after eval", ts[4].Float32s(), toFloat64(before[1]), 0, 0)
	}
}
