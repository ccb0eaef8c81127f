package train

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/gocnn/gocnn/autograd/meta"
	"github.com/gocnn/gocnn/checkpoint"
	"github.com/gocnn/gocnn/nn"
	"github.com/gocnn/gocnn/nn/models"
)

// Fine-tuning starts from weights trained on another dataset: -weights
// loads every tensor of the file whose name and shape the model shares,
// and -freeze keeps some of them fixed.

// loadWeightsFile loads -weights, a safetensors file from PyTorch or gocnn,
// into the replicas. The tensors whose shape depends on the number of
// classes or input channels (the classifier, the first convolution) may
// have other shapes in the file: those keep the model's own
// initialisation, and a line to out names them. Any other difference
// between the file and the model is an error.
func loadWeightsFile(reps []*replica, cfg *Config, classes, channels int, out io.Writer) error {
	tensors, _, err := checkpoint.LoadWeights(cfg.Weights)
	if err != nil {
		return err
	}
	o := cfg.modelOptions(classes, channels)
	heads, err := shapeDependent(cfg.Model, o)
	if err != nil {
		return err
	}
	tensors, dropped, err := withoutAuxHeads(tensors, cfg.Model, o)
	if err != nil {
		return err
	}
	if dropped > 0 {
		fmt.Fprintf(out, "-weights %s: %d tensors of the auxiliary classifiers not loaded: the model is built without them (train them with -aux-logits)\n", cfg.Weights, dropped)
	}
	var skipped []checkpoint.Reshaped
	for _, r := range reps {
		if skipped, err = checkpoint.SetWeightsReshaping(r.model, cfg.Weights, tensors, heads); err != nil {
			return err
		}
	}
	if len(skipped) > 0 {
		names := make([]string, len(skipped))
		for i, s := range skipped {
			names[i] = s.String()
		}
		fmt.Fprintf(out, "-weights %s: not loaded, initialised as the model's own for %d classes and %d input channels: %s\n",
			cfg.Weights, classes, channels, strings.Join(names, ", "))
	}
	return nil
}

// stateShapes returns the shape of each tensor of spec's model built with
// o, by name, built on the meta backend.
func stateShapes(spec models.Spec, o models.Options) map[string]string {
	m := spec.New(nn.NewShapeBuilder(meta.NewDevice()), o)
	out := map[string]string{}
	for _, p := range slices.Concat(nn.Parameters(m), nn.Buffers(m)) {
		out[p.Name] = fmt.Sprint(p.Tensor.Shape())
	}
	return out
}

// shapeDependent returns whether a tensor of model, built with o, is one
// whose shape changes with the number of classes or input channels: it
// builds the model's shapes three times, once with one class more and
// once with one channel more.
func shapeDependent(model string, o models.Options) (func(name string) bool, error) {
	spec, err := models.Lookup(model)
	if err != nil {
		return nil, err
	}
	oneMore := func(classes, channels int) models.Options {
		m := o
		m.Classes += classes
		m.InChannels += channels
		return m
	}
	base := stateShapes(spec, o)
	moreClasses, moreChannels := stateShapes(spec, oneMore(1, 0)), stateShapes(spec, oneMore(0, 1))
	return func(name string) bool {
		s, ok := base[name]
		return ok && (moreClasses[name] != s || moreChannels[name] != s)
	}, nil
}

// withoutAuxHeads returns tensors less those of the auxiliary classifiers
// of model when o builds it without them (no -aux-logits), as torchvision
// drops them from googlenet's and inception_v3's pretrained weights, and
// how many it dropped.
func withoutAuxHeads(tensors []checkpoint.Tensor, model string, o models.Options) ([]checkpoint.Tensor, int, error) {
	spec, err := models.Lookup(model)
	if err != nil || o.AuxLogits || spec.AuxLossWeight() == 0 {
		return tensors, 0, err
	}
	with := o
	with.AuxLogits = true
	without := stateShapes(spec, o)
	aux := stateShapes(spec, with)
	kept := slices.DeleteFunc(slices.Clone(tensors), func(t checkpoint.Tensor) bool {
		_, inModel := without[t.Name]
		_, inAux := aux[t.Name]
		return inAux && !inModel
	})
	return kept, len(tensors) - len(kept), nil
}

// trainableParams returns the parameters of model that -freeze leaves to
// train, and marks the others as needing no gradient: the backward pass
// stops short of them, and the optimizer, which gets only the trainable
// ones, neither updates nor decays them. Batch-norm running statistics
// of frozen layers still update in training mode, as in PyTorch.
//
// -freeze takes comma-separated name prefixes: "conv1.,bn1.,layer1."
// freezes the parameters whose names start with one of them; when every
// prefix starts with "!", as in "!fc.", the parameters whose names start
// with none of them are frozen. A prefix that matches no parameter, an
// empty one, a mix of the two forms, or a -freeze that leaves nothing to
// train is refused.
func trainableParams(cfg *Config, model nn.Module) ([]nn.Named, error) {
	params := nn.Parameters(model)
	if len(cfg.Freeze) == 0 {
		return params, nil
	}
	flag := "-freeze " + strings.Join(cfg.Freeze, ",")
	negated := strings.HasPrefix(cfg.Freeze[0], "!")
	prefixes := make([]string, len(cfg.Freeze))
	for i, f := range cfg.Freeze {
		p, neg := strings.CutPrefix(f, "!")
		switch {
		case neg != negated:
			return nil, fmt.Errorf("%s: either every prefix starts with ! (freeze all but those) or none does", flag)
		case p == "":
			return nil, fmt.Errorf("%s: empty prefix; want comma-separated parameter-name prefixes such as conv1.,layer1. or !fc.", flag)
		case !slices.ContainsFunc(params, func(q nn.Named) bool { return strings.HasPrefix(q.Name, p) }):
			return nil, fmt.Errorf("%s: no parameter of %s starts with %q", flag, cfg.Model, p)
		}
		prefixes[i] = p
	}
	var trainable []nn.Named
	for _, p := range params {
		matched := slices.ContainsFunc(prefixes, func(pre string) bool { return strings.HasPrefix(p.Name, pre) })
		if matched != negated {
			p.Tensor.SetRequiresGrad(false)
		} else {
			trainable = append(trainable, p)
		}
	}
	if len(trainable) == 0 {
		return nil, fmt.Errorf("%s: freezes every parameter of %s; nothing would train", flag, cfg.Model)
	}
	return trainable, nil
}

// paramsNote describes the run's parameters for the start line:
// "11,181,642 parameters", and with -freeze "11,181,642 parameters
// (5,130 trainable: -freeze !fc.)".
func (t *trainer) paramsNote() string {
	r := t.reps[0]
	note := groupDigits(nn.NumParams(r.model)) + " parameters"
	if len(t.cfg.Freeze) == 0 {
		return note
	}
	n := 0
	for _, p := range r.params {
		n += p.Tensor.Numel()
	}
	return fmt.Sprintf("%s (%s trainable: -freeze %s)", note, groupDigits(n), strings.Join(t.cfg.Freeze, ","))
}
