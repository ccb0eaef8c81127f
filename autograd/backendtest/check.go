package backendtest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gocnn/gocnn/autograd"
)

// input is one argument of an op under test.
type input struct {
	shape  []int
	data   []float32 // Float32 inputs
	labels []int32   // Int32 inputs (class labels); data is nil then
	grad   bool      // check the gradient with respect to this input
}

// opCase is one op application checked against its float64 reference.
type opCase struct {
	name    string
	inputs  []input
	forward func(in []*autograd.Tensor) *autograd.Tensor
	// ref computes the op's output in float64 from the inputs in float64
	// (labels converted too). It must be a smooth function of the inputs
	// marked grad near the given point, for the central differences.
	ref        func(in [][]float64) []float64
	atol, rtol float64
	// skipInputCheck names inputs the op updates on purpose (batch norm's
	// running statistics).
	skipInputCheck []int
}

// fdStep is the central-difference step; the reference is float64, so the
// truncation and rounding errors are far below float32 tolerances.
const fdStep = 1e-6

// check runs c on dev: forward against ref, backward against central
// differences of ref (with a random upstream gradient), inputs unchanged.
func check(t *testing.T, dev *autograd.Device, c opCase) {
	t.Helper()
	rng := rand.New(rand.NewPCG(uint64(len(c.name)), 7))
	ins := make([]*autograd.Tensor, len(c.inputs))
	ref64 := make([][]float64, len(c.inputs))
	for i, in := range c.inputs {
		if in.labels != nil {
			ins[i] = autograd.FromInt32s(dev, in.labels, in.shape...)
			ref64[i] = toFloat64(in.labels)
			continue
		}
		ins[i] = autograd.FromFloat32s(dev, in.data, in.shape...).SetRequiresGrad(in.grad)
		ref64[i] = toFloat64(in.data)
	}
	y := c.forward(ins)
	want := c.ref(ref64)
	if !allClose(t, c.name+" forward", y.Float32s(), want, c.atol, c.rtol) {
		return
	}
	if slices.ContainsFunc(c.inputs, func(in input) bool { return in.grad }) {
		upstream := randn(rng, y.Numel())
		y.BackwardWith(autograd.FromFloat32s(dev, upstream, y.Shape()...))
		for i, in := range c.inputs {
			if !in.grad {
				continue
			}
			g := ins[i].Grad()
			if g == nil {
				t.Errorf("%s: no gradient reached input %d", c.name, i)
				continue
			}
			fd := centralDifference(c.ref, ref64, i, toFloat64(upstream))
			allClose(t, fmt.Sprintf("%s gradient of input %d", c.name, i), g.Float32s(), fd, c.atol, c.rtol)
		}
	}
	for i, in := range c.inputs {
		if in.labels != nil || slices.Contains(c.skipInputCheck, i) {
			continue
		}
		if got := ins[i].Float32s(); !slices.Equal(got, in.data) {
			t.Errorf("%s: input %d was modified", c.name, i)
		}
	}
}

// centralDifference returns d/dx_i of sum(ref(x) * upstream) for every
// element of input i.
func centralDifference(ref func([][]float64) []float64, x [][]float64, i int, upstream []float64) []float64 {
	dot := func() float64 {
		var s float64
		for j, v := range ref(x) {
			s += v * upstream[j]
		}
		return s
	}
	grad := make([]float64, len(x[i]))
	for j := range x[i] {
		orig := x[i][j]
		x[i][j] = orig + fdStep
		plus := dot()
		x[i][j] = orig - fdStep
		minus := dot()
		x[i][j] = orig
		grad[j] = (plus - minus) / (2 * fdStep)
	}
	return grad
}

// allClose reports whether |got-want| <= atol + rtol*|want| everywhere,
// and logs the first few mismatches otherwise.
func allClose(t *testing.T, what string, got []float32, want []float64, atol, rtol float64) bool {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d values, want %d", what, len(got), len(want))
		return false
	}
	bad := 0
	for i := range got {
		g, w := float64(got[i]), want[i]
		if math.Abs(g-w) <= atol+rtol*math.Abs(w) {
			continue
		}
		if bad < 5 {
			t.Errorf("%s: element %d = %g, want %g", what, i, g, w)
		}
		bad++
	}
	if bad > 5 {
		t.Errorf("%s: %d of %d elements differ", what, bad, len(got))
	}
	return bad == 0
}

func toFloat64[T float32 | int32](v []T) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

// randn returns n standard normal float32 values.
func randn(rng *rand.Rand, n int) []float32 {
	out := make([]float32, n)
	for i := range out {
		out[i] = float32(rng.NormFloat64())
	}
	return out
}

// newRand returns the generator a test draws its inputs from, seeded by the
// test's name so every backend sees the same inputs.
func newRand(t *testing.T) *rand.Rand {
	var h uint64 = 14695981039346656037
	for _, c := range t.Name() {
		h = (h ^ uint64(c)) * 1099511628211
	}
	return rand.New(rand.NewPCG(h, 1))
}
