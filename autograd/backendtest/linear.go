package backendtest

import (
	"testing"

	"github.com/gocnn/gocnn/autograd"
)

var _ = register("Linear", testLinear)

func testLinear(t *testing.T, dev *autograd.Device) {
	rng := newRand(t)
	for _, c := range []struct{ m, k, n int }{{5, 7, 3}, {1, 9, 4}, {13, 1, 6}, {70, 3, 67}, {130, 2, 3}} {
		check(t, dev, opCase{
			name: "MatMul",
			inputs: []input{
				{shape: []int{c.m, c.k}, data: randn(rng, c.m*c.k), grad: true},
				{shape: []int{c.k, c.n}, data: randn(rng, c.k*c.n), grad: true},
			},
			forward: func(in []*autograd.Tensor) *autograd.Tensor { return autograd.MatMul(in[0], in[1]) },
			ref: func(in [][]float64) []float64 {
				y := make([]float64, c.m*c.n)
				for i := range c.m {
					for j := range c.n {
						for l := range c.k {
							y[i*c.n+j] += in[0][i*c.k+l] * in[1][l*c.n+j]
						}
					}
				}
				return y
			},
			atol: 1e-5, rtol: 1e-5,
		})
	}
	for _, c := range []struct {
		name    string
		xShape  []int
		out     int
		biased  bool
		frozenX bool
	}{
		{"no bias", []int{4, 9}, 5, false, false},
		{"bias", []int{3, 7}, 6, true, false},
		{"bias, frozen input", []int{5, 3}, 2, true, true},
		{"batch dims", []int{2, 3, 5}, 4, true, false},
		{"wide", []int{3, 130}, 3, false, false},
		// Enough output rows of dw (a transposed Gemm) for workers to split.
		{"many outputs", []int{3, 2}, 130, true, false},
	} {
		in := c.xShape[len(c.xShape)-1]
		rows := prod(c.xShape) / in
		inputs := []input{
			{shape: c.xShape, data: randn(rng, prod(c.xShape)), grad: !c.frozenX},
			{shape: []int{c.out, in}, data: randn(rng, c.out*in), grad: true},
		}
		if c.biased {
			inputs = append(inputs, input{shape: []int{c.out}, data: randn(rng, c.out), grad: true})
		}
		check(t, dev, opCase{
			name:   "Linear " + c.name,
			inputs: inputs,
			forward: func(in []*autograd.Tensor) *autograd.Tensor {
				if c.biased {
					return autograd.Linear(in[0], in[1], in[2])
				}
				return autograd.Linear(in[0], in[1], nil)
			},
			ref: func(v [][]float64) []float64 {
				y := make([]float64, rows*c.out)
				for r := range rows {
					for o := range c.out {
						if c.biased {
							y[r*c.out+o] = v[2][o]
						}
						for i := range in {
							y[r*c.out+o] += v[0][r*in+i] * v[1][o*in+i]
						}
					}
				}
				return y
			},
			atol: 1e-5, rtol: 1e-5,
		})
	}
	a := autograd.Zeros(dev, 2, 3)
	if !panics(func() { autograd.MatMul(a, a) }) {
		t.Error("MatMul of (2, 3) by (2, 3) did not panic")
	}
	if !panics(func() { autograd.Linear(a, autograd.Zeros(dev, 4, 2), nil) }) {
		t.Error("Linear of (2, 3) with weight (4, 2) did not panic")
	}
}
