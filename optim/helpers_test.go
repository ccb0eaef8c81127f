package optim_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/autograd/backendtest"
	"github.com/gocnn/gocnn/cpu"
	"github.com/gocnn/gocnn/optim"
)

// newDevice returns a CPU device whose fresh buffers hold NaN, so reading
// an optimizer buffer before writing it shows.
func newDevice() *autograd.Device { return autograd.NewDevice(backendtest.Poisoned(cpu.New(3))) }

// spec is a parameter for a test: name, shape and initial values.
type spec struct {
	name string
	w    []float64
	dims []int
}

// specs returns a weight and a bias with random values.
func specs(rng *rand.Rand) []spec {
	return []spec{
		{"conv.weight", randVals(rng, 2*3*3*2), []int{2, 3, 3, 2}},
		{"conv.bias", randVals(rng, 2), []int{2}},
	}
}

func randVals(rng *rand.Rand, n int) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = rng.NormFloat64()
	}
	return out
}

// gradients returns steps x params gradients; nil entries mean "no
// gradient this step".
func gradients(rng *rand.Rand, ps []spec, steps int, skip map[[2]int]bool) [][][]float64 {
	gs := make([][][]float64, steps)
	for s := range gs {
		gs[s] = make([][]float64, len(ps))
		for i, p := range ps {
			if !skip[[2]int{s, i}] {
				gs[s][i] = randVals(rng, len(p.w))
			}
		}
	}
	return gs
}

func makeParams(dev *autograd.Device, ps []spec) []optim.Param {
	out := make([]optim.Param, len(ps))
	for i, p := range ps {
		out[i] = optim.Param{Name: p.name, Tensor: autograd.FromFloat32s(dev, f32(p.w), p.dims...).SetRequiresGrad(true)}
	}
	return out
}

// formula is a check of an optimizer against its float64 reference on the
// weight and bias of specs, drawn from seed with steps random gradients.
type formula struct {
	seed   [2]uint64
	steps  int
	skip   map[[2]int]bool // as in gradients
	policy optim.DecayPolicy
	decays []float64 // the weight decay policy gives each spec
}

// check runs the optimizer build makes over f.policy's groups and compares
// every parameter with ref given its weight decay, start values and
// gradients. It returns the optimizer for further checks.
func (f formula) check(t *testing.T, build func([]optim.Group) (optim.Optimizer, error),
	ref func(wd float64, w []float64, grads [][]float64) []float64) optim.Optimizer {
	t.Helper()
	rng := rand.New(rand.NewPCG(f.seed[0], f.seed[1]))
	ps := specs(rng)
	grads := gradients(rng, ps, f.steps, f.skip)
	params := makeParams(newDevice(), ps)
	opt, err := build(f.policy.Groups(params))
	if err != nil {
		t.Fatal(err)
	}
	run(opt, params, grads, 0)
	for i, p := range ps {
		near(t, p.name, params[i].Tensor.Float32s(), ref(f.decays[i], p.w, column(grads, i)), 1e-6, 1e-5)
	}
	return opt
}

// column returns param i's gradients over all steps.
func column(grads [][][]float64, i int) [][]float64 {
	out := make([][]float64, len(grads))
	for s := range grads {
		out[s] = grads[s][i]
	}
	return out
}

// run applies opt for every step of grads, starting at step from.
func run(opt optim.Optimizer, params []optim.Param, grads [][][]float64, from int) {
	for _, step := range grads[from:] {
		opt.ZeroGrad()
		for i, g := range step {
			if g != nil {
				p := params[i].Tensor
				p.SetGrad(autograd.FromFloat32s(p.Device(), f32(g), p.Shape()...))
			}
		}
		opt.Step()
	}
}

func f32(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}

// f64 rounds v to float32 first, so the reference starts from exactly the
// values the optimizer sees.
func f64(v []float64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(float32(x))
	}
	return out
}

// near reports |got-want| <= atol + rtol*|want| everywhere.
func near(t *testing.T, what string, got []float32, want []float64, atol, rtol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	bad := 0
	for i := range got {
		if d := math.Abs(float64(got[i]) - want[i]); !(d <= atol+rtol*math.Abs(want[i])) {
			if bad < 5 {
				t.Errorf("%s: element %d = %.9g, want %.9g", what, i, got[i], want[i])
			}
			bad++
		}
	}
}
