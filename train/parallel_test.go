package train

import (
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/data"
	"github.com/gocnn/gocnn/nn"
)

// trainedParams runs steps training steps of cfg (each of -accum-steps
// passes) at a learning rate of 0.05, with batch norm in evaluation mode when bnEval is set (so that
// per-replica batch statistics do not enter), and returns the last
// replica's parameters and Float32 buffers (batch norm's running
// statistics), read back to the host, by name.
func trainedParams(t *testing.T, cfg Config, steps int, bnEval bool) map[string][]float32 {
	t.Helper()
	s := newStepper(t, cfg, bnEval)
	defer s.close(t)
	for range steps {
		s.step(t)
	}
	return s.state(len(s.tr.reps)-1, false)
}

// stepper trains one run of a test step by step, as trainedParams
// describes; it is closed when the test ends if not before.
type stepper struct {
	tr     *trainer
	ep     *data.Epoch
	per    []*scores
	passes int
	closed bool
}

func newStepper(t *testing.T, cfg Config, bnEval bool) *stepper {
	t.Helper()
	tr, err := newTrainer(&cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	s := &stepper{tr: tr, ep: tr.trainLoader.Epoch(0), passes: cfg.accumSteps()}
	t.Cleanup(func() { s.close(t) })
	for _, r := range tr.reps {
		nn.SetTraining(r.model, !bnEval)
		s.per = append(s.per, newScores(tr.data.classes, tr.data.segmentation))
	}
	return s
}

// step runs one optimizer step of -accum-steps passes.
func (s *stepper) step(t *testing.T) {
	t.Helper()
	for pass := 1; pass <= s.passes; pass++ {
		if _, _, err := s.tr.feed(s.ep, s.tr.trainIn); err != nil {
			t.Fatal(err)
		}
		if err := s.tr.queuePass(0.05, pass, s.passes); err != nil {
			t.Fatal(err)
		}
		if _, err := s.tr.readStep(s.per); err != nil {
			t.Fatal(err)
		}
	}
	s.tr.step++
}

// close releases the run's loader and devices, once.
func (s *stepper) close(t *testing.T) {
	if s.closed {
		return
	}
	s.closed = true
	s.ep.Close()
	if err := s.tr.close(); err != nil {
		t.Error(err)
	}
}

// state returns replica i's parameters and Float32 buffers by name, and
// with opt its optimizer's tensors too, as "optimizer/" and their names.
func (s *stepper) state(i int, opt bool) map[string][]float32 {
	out := map[string][]float32{}
	r := s.tr.reps[i]
	for _, p := range slices.Concat(r.params, nn.Buffers(r.model)) {
		if p.Tensor.DType() == autograd.Float32 {
			out[p.Name] = p.Tensor.Float32s()
		}
	}
	if opt {
		for name, tn := range r.opt.State().Tensors {
			out["optimizer/"+name] = tn.Float32s()
		}
	}
	return out
}

// takeState gives every replica of s the weights and optimizer state of
// from's replica 0, as a resumed run would take them.
func (s *stepper) takeState(t *testing.T, from *stepper) {
	t.Helper()
	ck := from.tr.snapshot(nil)
	if err := loadState(s.tr.reps, "the other run", ck.Weights); err != nil {
		t.Fatal(err)
	}
	if err := loadOptimizers(s.tr.reps, ck.OptimizerScalars, ck.Optimizer); err != nil {
		t.Fatal(err)
	}
}

// sameSteps trains ref and other side by side for steps steps (see
// trainedParams) and after each calls check with each of other's
// replicas' parameters, buffers and optimizer tensors and ref's first
// replica's. Each step starts from one state: before every step but the
// first, other takes ref's weights and optimizer state. Left to drift, one
// step's rounding differences would reach the next step's forward pass,
// where one can move an activation across a ReLU's kink and a weight by
// far more than rounding, which says nothing about what the comparison
// checks; from one state the forward convolutions agree bit for bit
// (TestEvalForwardIsBatchInvariant), and a later step still checks that
// gradients are zeroed between steps and that momentum carries over.
func sameSteps(t *testing.T, ref, other Config, steps int, bnEval bool, check func(got, want map[string][]float32)) {
	t.Helper()
	r, o := newStepper(t, ref, bnEval), newStepper(t, other, bnEval)
	for step := range steps {
		if step > 0 {
			o.takeState(t, r)
		}
		r.step(t)
		o.step(t)
		want := r.state(0, true)
		for i := range o.tr.reps {
			check(o.state(i, true), want)
		}
	}
}

// within returns a check of sameSteps that every element is within
// atol + rtol*|want| (sameParams).
func within(t *testing.T, atol, rtol float64) func(got, want map[string][]float32) {
	return func(got, want map[string][]float32) {
		t.Helper()
		sameParams(t, got, want, atol, rtol)
	}
}

// withinNorm returns a check of sameSteps for comparisons with batch norm
// in training mode, where the normalised activations differ by rounding
// and now and then one crosses a ReLU's kink (see
// TestSyncBNMatchesOneDevice): every tensor within rel of want's in the
// Euclidean norm, ||got-want|| <= rel*||want||, and at most a fraction
// stray of the weights and buffers outside sameParams's 1e-5 +
// 1e-4*|want| (not of the optimizer's tensors: a kink crossing moves a
// gradient, and so a momentum buffer, by 1/lr times what it moves the
// weight, against a bound sized for weights).
func withinNorm(t *testing.T, rel, stray float64) func(got, want map[string][]float32) {
	return func(got, want map[string][]float32) {
		t.Helper()
		outside, all := 0, 0
		for name, w := range want {
			g := got[name]
			if len(g) != len(w) {
				t.Fatalf("%s: %d elements, want %d", name, len(g), len(w))
			}
			weights := !strings.HasPrefix(name, "optimizer/")
			var d2, w2 float64
			for j := range w {
				d := float64(g[j]) - float64(w[j])
				d2, w2 = d2+d*d, w2+float64(w[j])*float64(w[j])
				if weights && !(math.Abs(d) <= 1e-5+1e-4*math.Abs(float64(w[j]))) {
					outside++
				}
			}
			if weights {
				all += len(w)
			}
			if !(d2 <= rel*rel*w2) {
				t.Fatalf("%s: ||got-want|| = %.3g, %.3g of ||want||", name, math.Sqrt(d2), math.Sqrt(d2/w2))
			}
		}
		if float64(outside) > stray*float64(all) {
			t.Fatalf("%d of %d weights and buffers (%.2g) outside 1e-5 + 1e-4*|want|", outside, all, float64(outside)/float64(all))
		}
	}
}

// sameParams fails unless got and want hold the same parameters within
// |got-want| <= atol + rtol*|want| elementwise.
func sameParams(t *testing.T, got, want map[string][]float32, atol, rtol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d parameters, want %d", len(got), len(want))
	}
	for name, w := range want {
		g := got[name]
		if len(g) != len(w) {
			t.Fatalf("%s: %d elements, want %d", name, len(g), len(w))
		}
		for j := range w {
			if d := math.Abs(float64(g[j] - w[j])); !(d <= atol+rtol*math.Abs(float64(w[j]))) {
				t.Fatalf("%s[%d] = %v, want %v", name, j, g[j], w[j])
			}
		}
	}
}

// randomConfig is tinyConfig on n random 32x32 RGB images rather than
// Fashion-MNIST, for the comparisons of several devices with one: on the
// Fashion-MNIST sample they passed the tolerance at single weights after
// two or three steps, depending on which images the sample held (13 times
// it with -sync-bn on two CPU devices), a jump from well within it rather
// than a drift, as when an activation crosses a ReLU's kink by a rounding
// difference. Random images have kept every comparison far within it.
func randomConfig(t *testing.T, n int) Config {
	cfg := tinyConfig(t, n)
	cfg.TrainSet, cfg.ValSet = randomImages(n, 32, false), randomImages(8, 32, false)
	cfg.Mean, cfg.Std = []float32{0.5, 0.5, 0.5}, []float32{0.25, 0.25, 0.25}
	cfg.Output = ""
	return cfg
}

// randomImages returns n random RGB images of side size with labels among
// 10 classes, or masks when seg is set.
func randomImages(n, size int, seg bool) *data.Memory {
	r := rand.New(rand.NewPCG(uint64(n), uint64(size)))
	m := &data.Memory{H: size, W: size, C: 3, Pix: make([]uint8, n*size*size*3), Labels: make([]int32, n),
		ClassNames: data.CIFAR10Classes}
	for i := range m.Pix {
		m.Pix[i] = uint8(r.IntN(256))
	}
	for i := range m.Labels {
		m.Labels[i] = int32(i % 10)
	}
	if seg {
		m.Masks = make([]uint8, n*size*size)
		for i := range m.Masks {
			m.Masks[i] = uint8(r.IntN(10))
		}
		for i := range m.Labels {
			m.Labels[i] = -1
		}
	}
	return m
}
