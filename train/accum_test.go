package train

import "testing"

// TestAccumStepsEqualOneLargeBatch checks -accum-steps: 4 passes of batch
// 4 make the same two SGD steps (momentum, weight decay) as batch 16, with
// batch norm in evaluation mode so that batch statistics do not enter;
// so do 4 passes of batch 2 on two CPU logical devices, averaged through
// host memory once, after the last pass. The sums of the gradients differ
// in order and rounding (partial sums then a scaling by 1/4, against one
// sum over 16 images), so the weights agree to float32 rounding only:
// within 1e-6 + 1e-5*|w| on one device; on two, within the data parallel
// comparisons' 1e-5 + 1e-4*|w|, as the average over the devices adds
// their sums in another order again (measured: 2.5e-6 off at a weight of
// 0.03, over the one-device bound).
//
// Each step starts from one state (see sameSteps).
func TestAccumStepsEqualOneLargeBatch(t *testing.T) {
	large := randomConfig(t, 64)
	large.Batch = 16
	acc := randomConfig(t, 64)
	acc.Batch, acc.AccumSteps = 4, 4
	sameSteps(t, large, acc, 2, true, within(t, 1e-6, 1e-5))
	acc.Batch, acc.Devices = 2, 2
	sameSteps(t, large, acc, 2, true, within(t, 1e-5, 1e-4))
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
