package backendtest

import (
	"math"
	"testing"

	"github.com/gocnn/gocnn/autograd"
)

var _ = register("LRN", testLRN)

// lrnRef is PyTorch's LocalResponseNorm over the last dimension (c) of x:
// channel i is divided by (k + alpha/size * sum of x[j]^2 over
// j = i-size/2 .. i+(size-1)/2 inside the tensor)^beta.
func lrnRef(x []float64, c int, o autograd.LRNOptions) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		row, ch := i-i%c, i%c
		var sq float64
		for j := ch - o.Size/2; j <= ch+(o.Size-1)/2; j++ {
			if j >= 0 && j < c {
				sq += x[row+j] * x[row+j]
			}
		}
		out[i] = v / math.Pow(float64(o.K)+float64(o.Alpha)/float64(o.Size)*sq, float64(o.Beta))
	}
	return out
}

func testLRN(t *testing.T, dev *autograd.Device) {
	rng := newRand(t)
	for _, tc := range []struct {
		shape []int
		o     autograd.LRNOptions
	}{
		{[]int{2, 3, 4, 7}, autograd.LRNOptions{Size: 5, Alpha: 1e-4, Beta: 0.75, K: 2}}, // AlexNet 2012
		{[]int{2, 3, 2, 9}, autograd.LRNOptions{Size: 5, Alpha: 3, Beta: 0.75, K: 1}},
		{[]int{5, 6}, autograd.LRNOptions{Size: 4, Alpha: 2, Beta: 0.5, K: 1}},   // even size: lopsided window
		{[]int{4, 3}, autograd.LRNOptions{Size: 7, Alpha: 1.5, Beta: 1, K: 0.5}}, // window wider than C
	} {
		rows, c := autograd.Shape(tc.shape).Rows()
		check(t, dev, opCase{
			name:    "LRN",
			inputs:  []input{{shape: tc.shape, data: randn(rng, rows*c), grad: true}},
			forward: func(in []*autograd.Tensor) *autograd.Tensor { return autograd.LRN(in[0], tc.o) },
			ref:     func(in [][]float64) []float64 { return lrnRef(in[0], c, tc.o) },
			atol:    1e-6, rtol: 1e-5,
		})
	}
}
