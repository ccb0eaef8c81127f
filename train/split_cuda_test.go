//go:build cuda

package train

import (
	"io"
	"os"
	"testing"

	"github.com/gocnn/gocnn/cuda"
	"github.com/gocnn/gocnn/nn"
	"github.com/gocnn/gocnn/nn/models"
)

// splitConfigs returns alexnet2012 on random 67x67 images at batch 2 (its
// smallest input that leaves every pooling a window), on GPU 0 and split
// over GPUs 0 and 1.
func splitConfigs(t *testing.T) (single, split Config) {
	single = tinyConfig(t, 8)
	single.Model, single.Batch, single.Output, single.GPUs = "alexnet2012", 2, "", []int{0}
	single.TrainSet, single.ValSet = randomImages(8, 67, false), randomImages(2, 67, false)
	single.Mean, single.Std = []float32{0.5, 0.5, 0.5}, []float32{0.25, 0.25, 0.25}
	split = single
	split.GPUs, split.Dist.Split = []int{0, 1}, true
	return single, split
}

// asSingle returns the split model's parameters (or, with grads, their
// gradients) under the single-device model's names, each share put where
// it belongs in its parameter.
func asSingle(m *models.AlexNet2012Split, grads bool) map[string][]float32 {
	full := map[string][]float32{}
	for _, s := range m.Shares() {
		x := s.Tensor
		if grads {
			x = x.Grad()
		}
		v := x.Float32s()
		if need := s.Offset + len(v); len(full[s.Name]) < need {
			full[s.Name] = append(full[s.Name], make([]float32, need-len(full[s.Name]))...)
		}
		copy(full[s.Name][s.Offset:], v)
	}
	return full
}

// named returns params (or their gradients) by name.
func named(params []nn.Named, grads bool) map[string][]float32 {
	m := map[string][]float32{}
	for _, p := range params {
		x := p.Tensor
		if grads {
			x = x.Grad()
		}
		m[p.Name] = x.Float32s()
	}
	return m
}

// splitRun is what TestSplitMatchesSingleGPU records of a run: the first
// step's logits and gradients, the weights after three steps, by the
// single-device model's names, and each GPU's stand-in counters around
// the first forward and backward.
type splitRun struct {
	logits         []float32
	grads, weights map[string][]float32
	before, after  [2]cuda.StandInCounters
}

// trainThree runs three training steps of cfg at a learning rate of 0.05,
// the first by hand to keep its logits and gradients.
func trainThree(t *testing.T, cfg Config) splitRun {
	t.Helper()
	tr, err := newTrainer(&cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.close()
	r := tr.reps[0]
	byName := func(grads bool) map[string][]float32 {
		if m, ok := r.model.(*models.AlexNet2012Split); ok {
			return asSingle(m, grads)
		}
		return named(r.params, grads)
	}
	ep := tr.trainLoader.Epoch(0)
	defer ep.Close()
	var run splitRun
	for step := range 3 {
		if _, _, err := tr.feed(ep, tr.trainIn); err != nil {
			t.Fatal(err)
		}
		if step > 0 {
			if err := tr.queueStep(0.05); err != nil {
				t.Fatal(err)
			}
			if _, err := tr.readStep([]*scores{newScores(10, false)}); err != nil {
				t.Fatal(err)
			}
			continue
		}
		r.opt.SetLR(0.05)
		func() {
			defer r.scope()()
			x, targets := tr.trainIn[0].take()
			for d := range 2 {
				run.before[d], _ = cuda.ReadStandIn(d)
			}
			logits, loss := lossOf(r, x, targets, 0)
			loss.Backward()
			for d := range 2 {
				run.after[d], _ = cuda.ReadStandIn(d)
			}
			run.logits = logits.Float32s()
		}()
		run.grads = byName(true)
		if err := update(tr.reps); err != nil {
			t.Fatal(err)
		}
	}
	run.weights = byName(false)
	return run
}

// TestSplitMatchesSingleGPU trains alexnet2012 split over two stand-in
// GPUs (-split) and on one, from the same seed and batches, dropout in
// training mode: the first step's logits and every parameter's gradient
// agree, and so do the weights after three optimizer steps. The split's
// forward and backward move the towers' activations and gradients with
// peer copies, and never block the host (but with GOCNN_CUDA_DEBUG=1).
// The tolerance, 1e-5 + 1e-4*|w|, is float32 rounding, as in nn/models'
// TestAlexNet2012Split: the split sums some products in another order
// (conv3's input gradient is the sum of both towers' parts).
func TestSplitMatchesSingleGPU(t *testing.T) {
	needDevices(t, 2)
	single, split := splitConfigs(t)
	want, got := trainThree(t, single), trainThree(t, split)
	sameParams(t, map[string][]float32{"logits": got.logits}, map[string][]float32{"logits": want.logits}, 1e-5, 1e-4)
	sameParams(t, got.grads, want.grads, 1e-5, 1e-4)
	sameParams(t, got.weights, want.weights, 1e-5, 1e-4)
	if cuda.IsStandIn() && os.Getenv("GOCNN_CUDA_DEBUG") != "1" { // debug mode waits after every launch
		for d := range 2 {
			syncs, peer := got.after[d].Syncs-got.before[d].Syncs, got.after[d].PeerBytes-got.before[d].PeerBytes
			t.Logf("split forward and backward, device %d: %d host syncs, %d bytes to the other GPU", d, syncs, peer)
			if syncs != 0 || peer == 0 {
				t.Errorf("device %d: %d host syncs and %d bytes copied to the peer; want none and some", d, syncs, peer)
			}
		}
	}
}
