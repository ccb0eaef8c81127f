package train

import (
	"io"
	"testing"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/nn"
)

// TestAccumStepsEqualOneLargeBatch checks -accum-steps: 4 passes of batch
// 4 make the same two SGD steps (momentum, weight decay) as batch 16, with
// batch norm in evaluation mode so that batch statistics do not enter.
// The sums of the gradients differ in order and rounding (four partial
// sums then a scaling by 1/4, against one sum over 16 images), so the
// weights agree to float32 rounding only: within 1e-6 + 1e-5*|w|, ten
// times tighter than the data parallel comparisons (1e-5 + 1e-4*|w| over
// three steps), whose gradients are added up in parts the same way.
func TestAccumStepsEqualOneLargeBatch(t *testing.T) {
	large := randomConfig(t, 64)
	large.Batch = 16
	want := trainedParams(t, large, 2, true)

	acc := randomConfig(t, 64)
	acc.Batch, acc.AccumSteps = 4, 4
	tr, err := newTrainer(&acc, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.close()
	r := tr.reps[0]
	nn.SetTraining(r.model, false)
	ep := tr.trainLoader.Epoch(0)
	defer ep.Close()
	per := []*scores{newScores(tr.data.classes, false)}
	for range 2 {
		for pass := 1; pass <= acc.AccumSteps; pass++ {
			if _, _, err := tr.feed(ep, tr.trainIn); err != nil {
				t.Fatal(err)
			}
			if err := tr.queuePass(0.05, pass, acc.AccumSteps); err != nil {
				t.Fatal(err)
			}
			if _, err := tr.readStep(per); err != nil {
				t.Fatal(err)
			}
		}
	}
	got := map[string][]float32{}
	for _, p := range append(r.params, nn.Buffers(r.model)...) {
		if p.Tensor.DType() == autograd.Float32 {
			got[p.Name] = p.Tensor.Float32s()
		}
	}
	sameParams(t, got, want, 1e-6, 1e-5)
}

// TestAccumStepsInTheLoop checks that the training loop takes one
// optimizer step per -accum-steps batches (48 images, batch 8, 2 passes:
// 3 steps an epoch) and that such a run resumes bit-exactly.
func TestAccumStepsInTheLoop(t *testing.T) {
	straight := tinyConfig(t, 48)
	straight.AccumSteps = 2
	run(t, straight)
	split := resumedAfterOneEpoch(t, straight)
	want, got := lastCheckpoint(t, straight.Output), lastCheckpoint(t, split.Output)
	if want.Step != 6 || got.Step != 6 {
		t.Fatalf("2 epochs take %d steps straight and %d resumed, want 6", want.Step, got.Step)
	}
	sameBits(t, "weights", got.Weights, want.Weights)
	sameBits(t, "optimizer", got.Optimizer, want.Optimizer)
}
