package optim_test

import (
	"maps"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/autograd/backendtest"
	"github.com/gocnn/gocnn/cpu"
	"github.com/gocnn/gocnn/optim"
)

// plain hides the fused updates of the backend it embeds, so optim falls
// back to optim.Portable on it.
type plain struct{ autograd.Backend }

// counting offers the CPU backend's fused updates and counts the calls.
type counting struct {
	*cpu.Backend
	calls int
}

func (c *counting) SGDStep(p optim.SGDParams, param, grad, momentum autograd.Buffer) {
	c.calls++
	c.Backend.SGDStep(p, param, grad, momentum)
}

func (c *counting) AdamWStep(p optim.AdamWParams, param, grad, expAvg, expAvgSq autograd.Buffer) {
	c.calls++
	c.Backend.AdamWStep(p, param, grad, expAvg, expAvgSq)
}

func (c *counting) RMSpropStep(p optim.RMSpropParams, param, grad, squareAvg, momentum, gradAvg autograd.Buffer) {
	c.calls++
	c.Backend.RMSpropStep(p, param, grad, squareAvg, momentum, gradAvg)
}

// train runs build's optimizer for steps random steps on be from the same
// start and returns the final parameters and state.
func train(t *testing.T, be autograd.Backend, build func([]optim.Group) (optim.Optimizer, error), steps int) [][]float32 {
	t.Helper()
	rng := rand.New(rand.NewPCG(7, 8))
	ps := specs(rng)
	params := makeParams(autograd.NewDevice(be), ps)
	opt, err := build(optim.DecayPolicy{WeightDecay: 0.05}.Groups(params))
	if err != nil {
		t.Fatal(err)
	}
	run(opt, params, gradients(rng, ps, steps, nil), 0)
	var out [][]float32
	for _, p := range params {
		out = append(out, p.Tensor.Float32s())
	}
	state := opt.State().Tensors
	for _, key := range slices.Sorted(maps.Keys(state)) {
		out = append(out, state[key].Float32s())
	}
	return out
}

// TestPortableMatchesFused checks that the updates composed from
// elementwise kernels follow the CPU backend's fused kernels to rounding
// over several steps, parameters and state alike.
func TestPortableMatchesFused(t *testing.T) {
	for name, build := range optimizers {
		fused := train(t, cpu.New(2), build, 6)
		portable := train(t, plain{cpu.New(2)}, build, 6)
		if len(fused) != len(portable) {
			t.Fatalf("%s: %d tensors fused, %d portable", name, len(fused), len(portable))
		}
		for i := range fused {
			near(t, name, portable[i], f64s(fused[i]), 1e-6, 1e-5)
		}
	}
}

// TestPicksFused checks that every step runs the backend's fused kernel
// when it offers one, also through a wrapper that unwraps to it.
func TestPicksFused(t *testing.T) {
	for name, build := range optimizers {
		c := &counting{Backend: cpu.New(1)}
		train(t, backendtest.Poisoned(c), build, 3)
		if want := 3 * 2; c.calls != want { // two parameters
			t.Errorf("%s: %d fused calls, want %d", name, c.calls, want)
		}
	}
}

func f64s(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}
