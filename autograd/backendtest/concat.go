package backendtest

import (
	"testing"

	"github.com/gocnn/gocnn/autograd"
)

var _ = register("Concat", testConcat)

// columns returns the (rows, width) matrix x viewed as its columns
// [off, off+size), in row-major order.
func columns(x []float64, width, off, size int) []float64 {
	var out []float64
	for r := 0; r < len(x)/width; r++ {
		out = append(out, x[r*width+off:r*width+off+size]...)
	}
	return out
}

// joinColumns concatenates row-major matrices with the given widths along
// their columns.
func joinColumns(widths []int, xs ...[]float64) []float64 {
	var out []float64
	rows := len(xs[0]) / widths[0]
	for r := range rows {
		for i, x := range xs {
			out = append(out, x[r*widths[i]:(r+1)*widths[i]]...)
		}
	}
	return out
}

func testConcat(t *testing.T, dev *autograd.Device) {
	rng := newRand(t)
	lead := []int{2, 3, 3}
	rows := 2 * 3 * 3
	widths := []int{1, 4, 3}
	var ins []input
	for i, c := range widths {
		// The middle tensor wants no gradient: its columns of dy are dropped.
		ins = append(ins, input{shape: append(append([]int{}, lead...), c), data: randn(rng, rows*c), grad: i != 1})
	}
	check(t, dev, opCase{
		name:   "Concat",
		inputs: ins,
		forward: func(in []*autograd.Tensor) *autograd.Tensor {
			y := autograd.Concat(in...)
			if want := []int{2, 3, 3, 8}; !y.Shape().Equal(want) {
				t.Errorf("Concat shape %v, want %v", y.Shape(), want)
			}
			return y
		},
		ref:  func(in [][]float64) []float64 { return joinColumns(widths, in...) },
		atol: 1e-7, rtol: 1e-7,
	})

	// Enough rows for a multi-worker backend to split the copies; checked
	// forward only (central differences would take too long).
	big := []int{4, 40, 41}
	bigRows := 4 * 40 * 41
	bigWidths := []int{16, 32, 8}
	var bigIns []input
	for _, c := range bigWidths {
		bigIns = append(bigIns, input{shape: append(append([]int{}, big...), c), data: randn(rng, bigRows*c)})
	}
	check(t, dev, opCase{
		name:    "Concat large",
		inputs:  bigIns,
		forward: func(in []*autograd.Tensor) *autograd.Tensor { return autograd.Concat(in...) },
		ref:     func(in [][]float64) []float64 { return joinColumns(bigWidths, in...) },
		atol:    0, rtol: 0,
	})

	x := randn(rng, rows*7)
	xShape := append(append([]int{}, lead...), 7)
	check(t, dev, opCase{
		name:    "Narrow",
		inputs:  []input{{shape: xShape, data: x, grad: true}},
		forward: func(in []*autograd.Tensor) *autograd.Tensor { return autograd.Narrow(in[0], 2, 3) },
		ref:     func(in [][]float64) []float64 { return columns(in[0], 7, 2, 3) },
		atol:    1e-7, rtol: 1e-7,
	})
	// Split into three pieces, reordered, one scaled and one unused: the
	// unused columns must get a zero gradient, the others theirs.
	check(t, dev, opCase{
		name:   "Split",
		inputs: []input{{shape: xShape, data: x, grad: true}},
		forward: func(in []*autograd.Tensor) *autograd.Tensor {
			p := autograd.Split(in[0], 2, 3, 2)
			return autograd.Concat(p[2], autograd.Scale(p[0], 2))
		},
		ref: func(in [][]float64) []float64 {
			first := columns(in[0], 7, 0, 2)
			for i := range first {
				first[i] *= 2
			}
			return joinColumns([]int{2, 2}, columns(in[0], 7, 5, 2), first)
		},
		atol: 1e-6, rtol: 1e-6,
	})
	xt := autograd.FromFloat32s(dev, x, xShape...)
	for name, f := range map[string]func(){
		"Narrow past the end":  func() { autograd.Narrow(xt, 5, 3) },
		"Split not adding up":  func() { autograd.Split(xt, 3, 3) },
		"Concat of mismatched": func() { autograd.Concat(xt, autograd.Zeros(dev, 2, 3, 4, 1)) },
	} {
		if !didPanic(f) {
			t.Errorf("%s did not panic", name)
		}
	}
}
