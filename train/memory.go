package train

import (
	"errors"
	"fmt"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/autograd/meta"
	"github.com/gocnn/gocnn/nn"
	"github.com/gocnn/gocnn/nn/models"
)

// input is the geometry of a run's images, which sets its memory.
type input struct{ classes, channels, h, w int }

// memoryError returns err, or, when err is the device running out of
// memory, the one line that says which model and batch did not fit, how
// much memory a training step of theirs needs (see stepMemory) and how
// much the device has. A run that fails so has saved nothing since its
// last checkpoint, which stays complete.
func memoryError(err error, cfg *Config, in input) error {
	var oom *autograd.OutOfMemoryError
	if !errors.As(err, &oom) {
		return err
	}
	need := "more device memory than it has"
	if n, err := stepMemory(cfg, in); err == nil {
		need = fmt.Sprintf("%.0f MiB of device memory", float64(n)/(1<<20))
	}
	return fmt.Errorf("%s at -batch %d (%dx%d images) needs %s for a training step; %v",
		cfg.Model, cfg.Batch, in.h, in.w, need, oom)
}

// stepMemory returns the most memory a training step of cfg.Model at
// -batch cfg.Batch holds at once, its steady state (the second step, the
// optimizer's state made by the first): parameters, gradients, optimizer
// state, activations and scratch, counted by running the steps on the
// shape-only backend. A device allocator rounds blocks up, so the device
// needs somewhat more.
func stepMemory(cfg *Config, in input) (int64, error) {
	spec, err := models.Lookup(cfg.Model)
	if err != nil {
		return 0, err
	}
	be := meta.New()
	dev := newDevice(cfg, be)
	err = recovered("meta", func() error {
		m := spec.New(nn.NewShapeBuilder(dev), cfg.modelOptions(in.classes, in.channels))
		opt, err := newOptimizer(cfg, nn.Parameters(m))
		if err != nil {
			return err
		}
		obj, err := newObjective(cfg)
		if err != nil {
			return err
		}
		var labels autograd.Shape // the targets' shape: the logits' but for the classes
		func() {
			defer dev.Scope().Close()
			defer dev.NoGrad()()
			shape := m.Forward(autograd.Empty(dev, autograd.Float32, cfg.Batch, in.h, in.w, in.channels)).Shape()
			labels = shape[:len(shape)-1].Clone()
		}()
		for range 2 {
			opt.ZeroGrad()
			func() {
				defer dev.Scope().Close()
				images := autograd.Empty(dev, autograd.Float32, cfg.Batch, in.h, in.w, in.channels)
				targets := autograd.Empty(dev, autograd.Int32, labels...)
				_, loss := obj.loss(m, images, targets, obj.mixer.draw(0, 1, 0, in.h, in.w))
				loss.Backward()
			}()
			opt.Step()
		}
		return nil
	})
	return be.Peak(), err
}
