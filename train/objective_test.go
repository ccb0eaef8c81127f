package train

import (
	"bytes"
	"context"
	"math"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/cpu"
	"github.com/gocnn/gocnn/nn"
	"github.com/gocnn/gocnn/nn/models"
)

// auxStub is a model whose input is its logits, with two auxiliary
// classifiers that return twice and minus the input.
type auxStub struct{ nn.Base }

func (s *auxStub) Forward(x *autograd.Tensor) *autograd.Tensor {
	logits, _ := s.ForwardAux(x)
	return logits
}

func (s *auxStub) ForwardAux(x *autograd.Tensor) (*autograd.Tensor, []*autograd.Tensor) {
	return autograd.Scale(x, 1), []*autograd.Tensor{autograd.Scale(x, 2), autograd.Scale(x, -1)}
}

var _ models.AuxClassifier = (*auxStub)(nil)

// TestObjectiveAddsWeightedAuxLosses checks the training loss of a model
// with auxiliary classifiers: the main cross-entropy plus each auxiliary
// one at the weight, all against the same (here mixed) targets; and that
// without the weight the auxiliary outputs are left out.
func TestObjectiveAddsWeightedAuxLosses(t *testing.T) {
	dev := autograd.NewDevice(cpu.New(1))
	x := autograd.FromFloat32s(dev, []float32{0.3, -1, 2, 1, 1, -2, -0.4, 0.2, 0.9}, 3, 3)
	y := autograd.FromInt32s(dev, []int32{2, 0, 1}, 3)
	for _, d := range []mixDraw{{kind: unmixed, lam: 1}, {kind: mixup, lam: 0.6}} {
		o := objective{smoothing: 0.1, auxWeight: 0.3}
		_, loss := o.loss(&auxStub{}, x, y, d)
		mixed := d.apply(x) // the stub's input is its logits, mixed as images are
		ce := func(scale float32) float64 {
			return float64(o.mixedCrossEntropy(autograd.Scale(mixed, scale), y, d).Item())
		}
		want := ce(1) + 0.3*(ce(2)+ce(-1))
		if got := float64(loss.Item()); math.Abs(got-want) > 1e-6 {
			t.Errorf("%+v: loss %v, want %v", d, got, want)
		}
		_, plain := objective{smoothing: 0.1}.loss(&auxStub{}, x, y, d)
		if got := float64(plain.Item()); math.Abs(got-ce(1)) > 1e-6 {
			t.Errorf("%+v without -aux-logits: loss %v, want the main loss %v", d, got, ce(1))
		}
	}
}

// TestObjectiveScoresTheLargerShare checks the logits a mixed batch is
// scored with: each example's own while its label has the larger share,
// else the logits of the example before, whose label it then is.
func TestObjectiveScoresTheLargerShare(t *testing.T) {
	dev := autograd.NewDevice(cpu.New(1))
	x := autograd.FromFloat32s(dev, []float32{1, 2, 3, 4, 5, 6}, 3, 2)
	y := autograd.FromInt32s(dev, []int32{0, 1, 1}, 3)
	o := objective{}
	near := func(got, want []float32) bool {
		for i := range want {
			if math.Abs(float64(got[i]-want[i])) > 1e-6 {
				return false
			}
		}
		return len(got) == len(want)
	}
	// Mixed rows: lam*x[i] + (1-lam)*x[i-1].
	scored, _ := o.loss(&auxStub{}, x, y, mixDraw{kind: mixup, lam: 0.8})
	if got := scored.Float32s(); !near(got, []float32{1.8, 2.8, 2.6, 3.6, 4.6, 5.6}) {
		t.Errorf("lam 0.8: scored %v, want the logits", got)
	}
	scored, _ = o.loss(&auxStub{}, x, y, mixDraw{kind: mixup, lam: 0.3})
	if got := scored.Float32s(); !near(got, []float32{1.6, 2.6, 3.6, 4.6, 3.8, 4.8}) {
		t.Errorf("lam 0.3: scored %v, want row i+1 at row i, against label i", got)
	}
}

// Resuming a run that mixes batches after its first epoch ends with the
// same bits as running it straight: the mixing draws depend on the seed
// and the batch's place only.
func TestResumeIsExactWithMixing(t *testing.T) {
	straight := tinyConfig(t, 32)
	straight.MixupAlpha, straight.CutmixAlpha, straight.LabelSmoothing = 0.2, 1, 0.1
	run(t, straight)
	split := resumedAfterOneEpoch(t, straight)
	want, got := lastCheckpoint(t, straight.Output), lastCheckpoint(t, split.Output)
	sameBits(t, "weights", got.Weights, want.Weights)
	unmixed := tinyConfig(t, 32)
	unmixed.LabelSmoothing = 0.1
	run(t, unmixed)
	if reflect.DeepEqual(lastCheckpoint(t, unmixed.Output).Weights, want.Weights) {
		t.Error("mixing changed no weight")
	}
}

// TestAuxLogitsTrainsTheHeads trains googlenet with -aux-logits: its
// auxiliary classifiers are saved and trained, and -weights from that
// checkpoint into googlenet without them drops their tensors, saying so.
func TestAuxLogitsTrainsTheHeads(t *testing.T) {
	cfg := tinyConfig(t, 32)
	cfg.Model, cfg.AuxLogits, cfg.Epochs, cfg.LRWarmupEpochs = "googlenet", true, 1, 0
	run(t, cfg)
	trained := map[string][]float32{}
	for _, w := range lastCheckpoint(t, cfg.Output).Weights {
		trained[w.Name] = w.Data
	}
	dev := autograd.NewDevice(cpu.New(1))
	fresh, err := models.New("googlenet", nn.NewBuilder(dev, cfg.Seed), models.Options{Classes: 10, InChannels: 1, AuxLogits: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range nn.Parameters(fresh) {
		if p.Name != "aux1.fc2.weight" && p.Name != "aux2.conv.conv.weight" {
			continue
		}
		got, ok := trained[p.Name]
		if !ok {
			t.Fatalf("%s not in the checkpoint", p.Name)
		}
		if reflect.DeepEqual(got, p.Tensor.Float32s()) {
			t.Errorf("%s is as initialised after an epoch", p.Name)
		}
	}

	plain := tinyConfig(t, 32)
	plain.Model, plain.EvalOnly, plain.Weights = "googlenet", true, filepath.Join(cfg.Output, "best.safetensors")
	var out bytes.Buffer
	if err := Run(context.Background(), plain, &out); err != nil {
		t.Fatal(err)
	}
	if want := "18 tensors of the auxiliary classifiers not loaded"; !strings.Contains(out.String(), want) {
		t.Errorf("output %q does not say %q", out.String(), want)
	}
}
