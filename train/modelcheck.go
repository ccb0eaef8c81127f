package train

import (
	"fmt"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/autograd/meta"
	"github.com/gocnn/gocnn/nn"
	"github.com/gocnn/gocnn/nn/models"
)

// minInputFraction bounds the input side a model takes from below, as a
// fraction of its usual side (models.Spec.Input): smaller inputs are
// refused as a likely mistake (-train-crop-size 3 for 32), though some
// models would run on them, their maps shrunk to 1x1 long before their
// last layers. An eighth still lets the ImageNet models (224) train on the
// 28x28 sample.
const minInputFraction = 8

// checkModel runs the run's model on the meta backend (shapes only, no
// arithmetic) with the data's classes and channels, so that a model that
// does not suit the data fails at the start with one line rather than deep
// inside the first step: a segmentation model on a classification dataset
// or the reverse, an input size the model refuses, or one under an eighth
// of its usual side (minInputFraction).
// train and val are the loaders' image sizes (height, width), see
// data.Loader.Shape.
func checkModel(cfg *Config, ds *dataSource, train, val [2]int) error {
	spec, err := models.Lookup(cfg.Model)
	if err != nil {
		return err
	}
	probe := modelProbe{spec: spec, opt: cfg.modelOptions(ds.classes, ds.channels), batch: cfg.Batch}
	out, err := probe.run(spec.Input, spec.Input, false)
	if err != nil {
		return fmt.Errorf("-model %s: %w", cfg.Model, err)
	}
	if segments := len(out) == 4; segments != ds.segmentation {
		return fmt.Errorf("-model %s is a %s model but %s is a %s dataset: they do not match (-models lists the models)",
			cfg.Model, taskName(segments), datasetName(cfg), taskName(ds.segmentation))
	}
	for _, in := range []struct {
		what     string
		size     [2]int
		training bool
	}{{inputName(cfg, true, train), train, true}, {inputName(cfg, false, val), val, false}} {
		h, w := in.size[0], in.size[1]
		if _, err := probe.run(h, w, in.training); err != nil {
			return fmt.Errorf("%s: %s cannot take a %dx%d input: %w", in.what, cfg.Model, w, h, err)
		}
		if least := spec.Input / minInputFraction; min(h, w) < least {
			return fmt.Errorf("%s: %s is made for %dx%d inputs and takes no side under an eighth of that (%d)",
				in.what, cfg.Model, spec.Input, spec.Input, least)
		}
	}
	return nil
}

// modelProbe builds a model on the meta backend and runs a batch through it.
type modelProbe struct {
	spec  models.Spec
	opt   models.Options
	batch int
}

// run builds the model, runs a (batch, h, w, channels) input through it
// in training or evaluation mode and returns the output's shape; a panic of
// the ops, which is how a model refuses a shape, comes back as an error.
func (p modelProbe) run(h, w int, training bool) (out autograd.Shape, err error) {
	dev := meta.NewDevice()
	m := p.spec.New(nn.NewShapeBuilder(dev), p.opt)
	nn.SetTraining(m, training)
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("%v", v)
		}
	}()
	return m.Forward(autograd.Empty(dev, autograd.Float32, max(p.batch, 1), h, w, p.opt.InChannels)).Shape(), nil
}

func taskName(segmentation bool) string {
	if segmentation {
		return "segmentation"
	}
	return "classification"
}

// datasetName names the run's dataset as the user gave it.
func datasetName(cfg *Config) string {
	if cfg.TrainSet != nil {
		return "the training set"
	}
	return "-dataset " + cfg.Dataset
}

// inputName names what sets a loader's image size: the flag, with the
// dataset's default when it was left at zero, or the images themselves.
func inputName(cfg *Config, training bool, size [2]int) string {
	spec := datasetSpecs[cfg.Dataset]
	flag, given, def := "-val-crop-size", cfg.ValCropSize, spec.valCrop
	switch {
	case cfg.TrainSet != nil:
		flag, given, def = "", 0, 0
	case training:
		flag, given, def = "-train-crop-size", cfg.TrainCropSize, spec.trainCrop
	case cfg.ValCropSize == 0 && spec.valCrop == 0:
		flag, given, def = "-val-resize-size", cfg.ValResizeSize, spec.valResize
	}
	switch {
	case given > 0:
		return fmt.Sprintf("%s %d", flag, given)
	case def > 0:
		return fmt.Sprintf("%s %d (%s's default)", flag, def, cfg.Dataset)
	}
	split := "validation"
	if training {
		split = "training"
	}
	return fmt.Sprintf("the %s images (%dx%d)", split, size[1], size[0])
}
