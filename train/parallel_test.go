package train

import (
	"io"
	"math"
	"testing"

	"github.com/gocnn/gocnn/nn"
)

// trainedParams runs steps training steps of cfg at a learning rate of
// 0.05, with batch norm in evaluation mode when bnEval is set (so that
// per-replica batch statistics do not enter), and returns the last
// replica's parameters, read back to the host, by name.
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
	for step := range steps {
		if _, _, err := tr.feed(ep, tr.trainIn); err != nil {
			t.Fatal(err)
		}
		if err := tr.queueStep(0.05); err != nil {
			t.Fatal(err)
		}
		if _, err := tr.readStep(per); err != nil {
			t.Fatal(err)
		}
		tr.step = int64(step + 1)
	}
	params := map[string][]float32{}
	for _, p := range tr.reps[len(tr.reps)-1].params {
		params[p.Name] = p.Tensor.Float32s()
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
