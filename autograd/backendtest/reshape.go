package backendtest

import (
	"testing"

	"github.com/gocnn/gocnn/autograd"
)

var _ = register("Reshape", testReshape)

// didPanic reports whether f panics.
func didPanic(f func()) (panicked bool) {
	defer func() { panicked = recover() != nil }()
	f()
	return false
}

// productRef is Mul's reference: the elementwise product of two inputs.
func productRef(in [][]float64) []float64 {
	out := make([]float64, len(in[0]))
	for i := range out {
		out[i] = in[0][i] * in[1][i]
	}
	return out
}

func testReshape(t *testing.T, dev *autograd.Device) {
	rng := newRand(t)
	shape := []int{2, 3, 4, 5}
	n := 120
	// Reshape feeds a Mul, so the gradient reaching x is dy*w reshaped back.
	check(t, dev, opCase{
		name: "Reshape",
		inputs: []input{
			{shape: shape, data: randn(rng, n), grad: true},
			{shape: []int{6, 20}, data: randn(rng, n), grad: true},
		},
		forward: func(in []*autograd.Tensor) *autograd.Tensor {
			r := autograd.Reshape(in[0], 6, -1)
			if !r.Shape().Equal(autograd.Shape{6, 20}) {
				t.Errorf("Reshape(-1) shape %v, want [6 20]", r.Shape())
			}
			return autograd.Mul(r, in[1])
		},
		ref:  productRef,
		atol: 1e-6, rtol: 1e-6,
	})
	check(t, dev, opCase{
		name:   "Flatten",
		inputs: []input{{shape: []int{3, 2, 2, 5}, data: randn(rng, 60), grad: true}},
		forward: func(in []*autograd.Tensor) *autograd.Tensor {
			f := autograd.Flatten(in[0])
			if !f.Shape().Equal(autograd.Shape{3, 20}) {
				t.Errorf("Flatten shape %v, want [3 20]", f.Shape())
			}
			return f
		},
		ref:  func(in [][]float64) []float64 { return in[0] },
		atol: 1e-7, rtol: 1e-7,
	})
	x := autograd.Zeros(dev, shape...)
	for _, bad := range [][]int{{-1, -1}, {7, -1}, {2, 3}, {-2, 60}, {0, -1}} {
		if !didPanic(func() { autograd.Reshape(x, bad...) }) {
			t.Errorf("Reshape of %v to %v did not panic", shape, bad)
		}
	}
}
