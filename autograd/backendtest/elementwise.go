package backendtest

import (
	"testing"

	"github.com/gocnn/gocnn/autograd"
)

var _ = register("Elementwise", testElementwise)

func testElementwise(t *testing.T, dev *autograd.Device) {
	rng := newRand(t)
	shape := []int{3, 4, 5, 2}
	n := 3 * 4 * 5 * 2
	binary := func(name string, op func(a, b *autograd.Tensor) *autograd.Tensor, f func(a, b float64) float64) {
		check(t, dev, opCase{
			name: name,
			inputs: []input{
				{shape: shape, data: randn(rng, n), grad: true},
				{shape: shape, data: randn(rng, n), grad: true},
			},
			forward: func(in []*autograd.Tensor) *autograd.Tensor { return op(in[0], in[1]) },
			ref: func(in [][]float64) []float64 {
				out := make([]float64, n)
				for i := range out {
					out[i] = f(in[0][i], in[1][i])
				}
				return out
			},
			atol: 1e-6, rtol: 1e-5,
		})
	}
	binary("Add", autograd.Add, func(a, b float64) float64 { return a + b })
	binary("Mul", autograd.Mul, func(a, b float64) float64 { return a * b })
	// A tensor used twice gets both contributions: d(x*x)/dx = 2x.
	binary("Add(Mul(a,a),b)", func(a, b *autograd.Tensor) *autograd.Tensor {
		return autograd.Add(autograd.Mul(a, a), b)
	}, func(a, b float64) float64 { return a*a + b })
	check(t, dev, opCase{
		name:    "Scale",
		inputs:  []input{{shape: shape, data: randn(rng, n), grad: true}},
		forward: func(in []*autograd.Tensor) *autograd.Tensor { return autograd.Scale(in[0], -2.5) },
		ref: func(in [][]float64) []float64 {
			out := make([]float64, n)
			for i, v := range in[0] {
				out[i] = -2.5 * v
			}
			return out
		},
		atol: 1e-6, rtol: 1e-6,
	})
}
