package train

import (
	"io"
	"math"
	"math/rand/v2"
	"slices"
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
	tr, err := newTrainer(&cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := tr.close(); err != nil {
			t.Error(err)
		}
	}()
	for _, r := range tr.reps {
		nn.SetTraining(r.model, !bnEval)
	}
	ep := tr.trainLoader.Epoch(0)
	defer ep.Close()
	per := make([]*scores, len(tr.reps))
	for i := range per {
		per[i] = newScores(tr.data.classes, tr.data.segmentation)
	}
	passes := cfg.accumSteps()
	for step := range steps {
		for pass := 1; pass <= passes; pass++ {
			if _, _, err := tr.feed(ep, tr.trainIn); err != nil {
				t.Fatal(err)
			}
			if err := tr.queuePass(0.05, pass, passes); err != nil {
				t.Fatal(err)
			}
			if _, err := tr.readStep(per); err != nil {
				t.Fatal(err)
			}
		}
		tr.step = int64(step + 1)
	}
	params := map[string][]float32{}
	last := tr.reps[len(tr.reps)-1]
	for _, p := range slices.Concat(last.params, nn.Buffers(last.model)) {
		if p.Tensor.DType() == autograd.Float32 {
			params[p.Name] = p.Tensor.Float32s()
		}
	}
	return params
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
