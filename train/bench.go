package train

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"time"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/nn"
	"github.com/gocnn/gocnn/nn/models"
)

// benchWarmup steps run before the clock starts: the first steps grow the
// heap and the allocator pools.
const benchWarmup = 2

// bench times training steps (forward, cross-entropy, backward, gradient
// all-reduce, optimizer step) of cfg.Model on random images of its usual
// input size (or -train-crop-size) with 3 channels, as
// scripts/bench/torch_anchor.py does, and prints images per second. The
// steps run as one epoch of the training loop, whose hooks time them.
func bench(ctx context.Context, cfg *Config, out io.Writer) (err error) {
	spec, err := models.Lookup(cfg.Model)
	if err != nil {
		return err
	}
	size := cmp.Or(cfg.TrainCropSize, spec.Input)
	classes := 1000
	if size <= 32 {
		classes = 10 // the CIFAR models
	}
	reps, err := newReplicas(cfg, cfg.replicas(), classes, 3)
	if err != nil {
		return err
	}
	defer func() { err = cmp.Or(err, closeReplicas(reps)) }()
	rng := rand.New(rand.NewPCG(cfg.Seed, 0))
	xs := make([]*autograd.Tensor, len(reps))
	labels := make([]*autograd.Tensor, len(reps))
	img := make([]float32, cfg.Batch*size*size*3)
	for i := range img {
		img[i] = float32(rng.NormFloat64())
	}
	for i, r := range reps {
		xs[i] = autograd.FromFloat32s(r.dev, img, cfg.Batch, size, size, 3)
	}
	backward := func(i int, r *replica) error {
		r.opt.ZeroGrad()
		logits := r.model.Forward(xs[i])
		if labels[i] == nil {
			// Classification or per-pixel labels, whichever the model outputs.
			shape := logits.Shape()
			k := shape[len(shape)-1]
			lab := make([]int32, logits.Numel()/k)
			for j := range lab {
				lab[j] = int32(rng.IntN(k))
			}
			labels[i] = autograd.FromInt32s(r.dev, lab, shape[:len(shape)-1]...)
		}
		autograd.SoftmaxCrossEntropy(logits, labels[i], autograd.CrossEntropyOptions{}).Backward()
		return nil
	}
	for _, r := range reps {
		nn.SetTraining(r.model, true)
	}
	epoch := EpochStart{Epoch: 1, Steps: benchWarmup + cfg.BenchSteps}
	take := func(s int) (StepInfo, error) {
		if s == 1 {
			// Sequentially: the label draws share one generator.
			for i, r := range reps {
				if err := onEach([]*replica{r}, func(int, *replica) error { return backward(i, r) }); err != nil {
					return StepInfo{}, err
				}
			}
		} else if err := onEach(reps, backward); err != nil {
			return StepInfo{}, err
		}
		if err := update(reps); err != nil {
			return StepInfo{}, err
		}
		// The loss stays on the device: reading it would wait for every step.
		return StepInfo{Epoch: 1, Step: s, Steps: epoch.Steps, GlobalStep: int64(s), Images: cfg.Batch * len(reps),
			Loss: math.NaN(), LR: reps[0].opt.LR()}, nil
	}
	var h Hooks
	var began time.Time
	h.OnStep(func(s StepInfo) error {
		if s.Step == benchWarmup {
			began = time.Now()
		}
		return nil
	})
	h.OnEnd(func() error {
		elapsed := time.Since(began)
		images := cfg.BenchSteps * cfg.Batch * len(reps)
		fmt.Fprintf(out, "%s: %dx%d, batch %d x %d device(s), %d steps in %v: %.1f img/s (%s, %s)%s\n",
			cfg.Model, size, size, cfg.Batch, len(reps), cfg.BenchSteps, elapsed.Round(time.Millisecond),
			float64(images)/elapsed.Seconds(), cfg.AMP, reps[0].dev.Name(), peakMemory(reps))
		return nil
	})
	h.add(&cfg.Hooks)
	if err := h.runEpoch(ctx, epoch, take); err != nil {
		return err
	}
	return h.ended()
}
