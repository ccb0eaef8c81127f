package backendtest

import (
	"testing"

	"github.com/gocnn/gocnn/autograd"
)

var _ = register("AddBias", testAddBias)

func testAddBias(t *testing.T, dev *autograd.Device) {
	rng := newRand(t)
	for _, shape := range [][]int{{2, 3, 5, 7}, {4, 6}, {1, 1, 1, 1}, {3, 33}} {
		n := autograd.Shape(shape).Numel()
		c := shape[len(shape)-1]
		check(t, dev, opCase{
			name: "AddBias" + autograd.Shape(shape).String(),
			inputs: []input{
				{shape: shape, data: randn(rng, n), grad: true},
				{shape: []int{c}, data: randn(rng, c), grad: true},
			},
			forward: func(in []*autograd.Tensor) *autograd.Tensor { return autograd.AddBias(in[0], in[1]) },
			ref: func(in [][]float64) []float64 {
				out := make([]float64, n)
				for i := range out {
					out[i] = in[0][i] + in[1][i%c]
				}
				return out
			},
			atol: 1e-6, rtol: 1e-5,
		})
	}
	// A bias alone wanting a gradient: the engine must drop the dy handed
	// to x without freeing it from under db.
	x := autograd.FromFloat32s(dev, randn(rng, 6), 2, 3)
	b := autograd.FromFloat32s(dev, randn(rng, 3), 3).SetRequiresGrad(true)
	autograd.AddBias(x, b).BackwardWith(autograd.FromFloat32s(dev, []float32{1, 2, 3, 4, 5, 6}, 2, 3))
	allClose(t, "AddBias bias-only gradient", b.Grad().Float32s(), []float64{5, 7, 9}, 0, 0)
	testAddBiasLarge(t, dev)
}

// testAddBiasLarge runs AddBias and its bias gradient on enough rows for a
// multi-worker backend to split SumRows; the gradient is checked against
// float64 column sums of the upstream gradient, as central differences over
// so many elements would take too long.
func testAddBiasLarge(t *testing.T, dev *autograd.Device) {
	rng := newRand(t)
	const rows, c = 1601, 64
	x := randn(rng, rows*c)
	bias := randn(rng, c)
	check(t, dev, opCase{
		name: "AddBias large",
		inputs: []input{
			{shape: []int{rows, c}, data: x},
			{shape: []int{c}, data: bias},
		},
		forward: func(in []*autograd.Tensor) *autograd.Tensor { return autograd.AddBias(in[0], in[1]) },
		ref: func(in [][]float64) []float64 {
			out := make([]float64, rows*c)
			for i := range out {
				out[i] = in[0][i] + in[1][i%c]
			}
			return out
		},
		atol: 1e-6, rtol: 1e-5,
	})
	b := autograd.FromFloat32s(dev, bias, c).SetRequiresGrad(true)
	dy := randn(rng, rows*c)
	autograd.AddBias(autograd.FromFloat32s(dev, x, rows, c), b).BackwardWith(autograd.FromFloat32s(dev, dy, rows, c))
	want := make([]float64, c)
	for i, v := range dy {
		want[i%c] += float64(v)
	}
	allClose(t, "AddBias large bias gradient", b.Grad().Float32s(), want, 1e-5, 1e-5)
}
