package backendtest

import (
	"fmt"
	"testing"

	"github.com/gocnn/gocnn/autograd"
)

var _ = register("RollBatch", testRollBatch)

// rolled returns the n rows of x (row-major, width wide) rolled by shift
// as torch.roll(x, shift, 0): row i of x is row (i+shift) mod n of the
// result.
func rolled(x []float64, n, shift int) []float64 {
	width := len(x) / n
	out := make([]float64, len(x))
	for i := range n {
		j := ((i+shift)%n + n) % n
		copy(out[j*width:(j+1)*width], x[i*width:(i+1)*width])
	}
	return out
}

func testRollBatch(t *testing.T, dev *autograd.Device) {
	rng := newRand(t)
	shape := []int{4, 2, 3, 2}
	x := randn(rng, 4*2*3*2)
	for _, shift := range []int{1, -1, 3, 4, 6, 0} {
		check(t, dev, opCase{
			name:    fmt.Sprintf("RollBatch %d", shift),
			inputs:  []input{{shape: shape, data: x, grad: true}},
			forward: func(in []*autograd.Tensor) *autograd.Tensor { return autograd.RollBatch(in[0], shift) },
			ref:     func(in [][]float64) []float64 { return rolled(in[0], 4, shift) },
			atol:    1e-7, rtol: 1e-7,
		})
	}
	one := autograd.FromFloat32s(dev, []float32{1, 2, 3}, 1, 3)
	if got := autograd.RollBatch(one, 1).Float32s(); fmt.Sprint(got) != "[1 2 3]" {
		t.Errorf("RollBatch of one row = %v, want it unchanged", got)
	}
	if !didPanic(func() { autograd.RollBatch(autograd.FromInt32s(dev, []int32{1, 2}, 2), 1) }) {
		t.Error("RollBatch of Int32 labels did not panic")
	}
}
