package backendtest

import (
	"math"
	"testing"

	"github.com/gocnn/gocnn/autograd"
)

var _ = register("Activation", testActivation)

func relu6(x float64) float64 { return math.Min(math.Max(x, 0), 6) }

// activationRefs are the float64 definitions of each activation.
var activationRefs = map[autograd.Activation]func(float64) float64{
	autograd.ActReLU:        func(x float64) float64 { return math.Max(x, 0) },
	autograd.ActReLU6:       relu6,
	autograd.ActSigmoid:     func(x float64) float64 { return 1 / (1 + math.Exp(-x)) },
	autograd.ActHardSigmoid: func(x float64) float64 { return relu6(x+3) / 6 },
	autograd.ActHardSwish:   func(x float64) float64 { return x * relu6(x+3) / 6 },
	autograd.ActTanh:        math.Tanh,
}

func testActivation(t *testing.T, dev *autograd.Device) {
	rng := newRand(t)
	for kind := autograd.ActReLU; kind <= autograd.ActTanh; kind++ {
		f := activationRefs[kind]
		shape := []int{2, 5, 3, 7}
		x := randn(rng, 2*5*3*7)
		for i := range x {
			x[i] *= 4 // reach both sides of relu6's and hardswish's kinks
		}
		check(t, dev, opCase{
			name:    kind.String(),
			inputs:  []input{{shape: shape, data: x, grad: true}},
			forward: func(in []*autograd.Tensor) *autograd.Tensor { return autograd.Act(in[0], kind) },
			ref: func(in [][]float64) []float64 {
				out := make([]float64, len(in[0]))
				for i, v := range in[0] {
					out[i] = f(v)
				}
				return out
			},
			atol: 1e-6, rtol: 1e-5,
		})
	}
}
