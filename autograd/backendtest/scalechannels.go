package backendtest

import (
	"testing"

	"github.com/gocnn/gocnn/autograd"
)

var _ = register("ScaleChannels", testScaleChannels)

func testScaleChannels(t *testing.T, dev *autograd.Device) {
	rng := newRand(t)
	// The last shape is large enough for a multi-worker backend to split;
	// it is checked forward only (central differences would take too long).
	for _, shape := range [][]int{{2, 3, 5, 4}, {3, 1, 1, 7}, {1, 7, 3, 1}, {4, 32, 33, 16}} {
		n, h, w, c := shape[0], shape[1], shape[2], shape[3]
		gradSets := [][2]bool{{true, true}, {false, true}, {true, false}}
		if n*h*w*c > 1<<15 {
			gradSets = [][2]bool{{false, false}}
		}
		for _, grads := range gradSets {
			check(t, dev, opCase{
				name: "ScaleChannels" + autograd.Shape(shape).String(),
				inputs: []input{
					{shape: shape, data: randn(rng, n*h*w*c), grad: grads[0]},
					{shape: []int{n, c}, data: randn(rng, n*c), grad: grads[1]},
				},
				forward: func(in []*autograd.Tensor) *autograd.Tensor { return autograd.ScaleChannels(in[0], in[1]) },
				ref: func(in [][]float64) []float64 {
					out := make([]float64, n*h*w*c)
					for i := range out {
						img, ch := i/(h*w*c), i%c
						out[i] = in[0][i] * in[1][img*c+ch]
					}
					return out
				},
				atol: 1e-5, rtol: 1e-5,
			})
		}
	}
}
