package train

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"

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
// scripts/bench/torch_anchor.py does, and prints images per second and,
// on a GPU, its memory, launches and host waits per step (see
// benchReport). The steps run as one epoch of the training loop, whose
// hooks measure them.
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
	// Labels take the shape of the model's output: (batch) for
	// classification, (batch, H, W) per pixel.
	probe := modelProbe{spec: spec, opt: cfg.modelOptions(classes, 3), batch: cfg.Batch}
	shape, err := probe.run(size, size, true)
	if err != nil {
		return fmt.Errorf("-bench: %s cannot take a %dx%d input: %w", cfg.Model, size, size, err)
	}
	defer func() { err = memoryError(err, cfg, input{classes: classes, channels: 3, h: size, w: size}) }()
	reps, err := newReplicas(cfg, cfg.replicas(), classes, 3)
	if err != nil {
		return err
	}
	defer func() { err = cmp.Or(err, closeReplicas(reps)) }()
	// Random images, and labels of the shape the model outputs
	// (classification or per pixel).
	rng := rand.New(rand.NewPCG(cfg.Seed, 0))
	img := make([]float32, cfg.Batch*size*size*3)
	for i := range img {
		img[i] = float32(rng.NormFloat64())
	}
	lab := make([]int32, shape[:len(shape)-1].Numel())
	for j := range lab {
		lab[j] = int32(rng.IntN(shape[len(shape)-1]))
	}
	xs := make([]*autograd.Tensor, len(reps))
	labels := make([]*autograd.Tensor, len(reps))
	err = onEach(reps, func(i int, r *replica) error {
		xs[i] = autograd.FromFloat32s(r.dev, img, cfg.Batch, size, size, 3)
		labels[i] = autograd.FromInt32s(r.dev, lab, shape[:len(shape)-1]...)
		nn.SetTraining(r.model, true)
		return nil
	})
	defer func() {
		for i := range reps {
			xs[i].Release()
			labels[i].Release()
		}
	}()
	if err != nil {
		return err
	}
	obj, err := newObjective(cfg)
	if err != nil {
		return err
	}
	rep := newBenchReport(cfg, reps, size)
	epoch := EpochStart{Epoch: 1, Steps: benchWarmup + cfg.BenchSteps}
	take := func(s int) (StepInfo, error) {
		err := onEach(reps, func(i int, r *replica) error {
			r.opt.ZeroGrad()
			defer r.scope()()
			// The training loss, mixing, auxiliary classifiers and all.
			_, loss := obj.loss(r.model, xs[i], labels[i], obj.mixer.draw(int64(s), 1, i, size, size))
			if i == 0 && s == epoch.Steps {
				rep.saved = loss.SavedBytes()
			}
			loss.Backward()
			return nil
		})
		if err != nil {
			return StepInfo{}, err
		}
		if err := finishStep(reps, 1, cfg.ClipGradNorm); err != nil {
			return StepInfo{}, err
		}
		// The loss stays on the device: reading it would wait for every step.
		return StepInfo{Epoch: 1, Step: s, Steps: epoch.Steps, GlobalStep: int64(s), Images: cfg.Batch * len(reps),
			Loss: math.NaN(), LR: reps[0].opt.LR()}, nil
	}
	var h Hooks
	h.OnStep(rep.step)
	h.OnEnd(func() error { return rep.print(out) })
	h.add(&cfg.Hooks)
	if err := h.runEpoch(ctx, epoch, take); err != nil {
		return err
	}
	return h.ended()
}
