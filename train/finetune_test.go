package train

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/autograd/meta"
	"github.com/gocnn/gocnn/checkpoint"
	"github.com/gocnn/gocnn/cpu"
	"github.com/gocnn/gocnn/nn"
	"github.com/gocnn/gocnn/nn/models"
)

// modelWeightsFile saves a freshly initialised model (seed 99, so that its
// weights differ from a run's own) for classes and channels through the
// checkpoint writer, as a -weights file, and returns its path.
func modelWeightsFile(t *testing.T, model string, classes, channels int) string {
	t.Helper()
	spec, err := models.Lookup(model)
	if err != nil {
		t.Fatal(err)
	}
	m := spec.New(nn.NewBuilder(autograd.NewDevice(cpu.New(1)), 99), models.Options{Classes: classes, InChannels: channels})
	path := filepath.Join(t.TempDir(), model+".safetensors")
	if err := checkpoint.SaveWeights(path, checkpoint.Weights(m), nil); err != nil {
		t.Fatal(err)
	}
	return path
}

// byName indexes tensors by name.
func byName(tensors []checkpoint.Tensor) map[string]checkpoint.Tensor {
	m := map[string]checkpoint.Tensor{}
	for _, t := range tensors {
		m[t.Name] = t
	}
	return m
}

// TestWeightsOfAnotherClassCount checks that ImageNet-shaped resnet18
// weights (1000 classes) load into a 10-class resnet18: every tensor but
// the classifier equals the file's, fc keeps the model's own
// initialisation at its own shape, and one line names what was skipped.
// Files that differ otherwise are still refused.
func TestWeightsOfAnotherClassCount(t *testing.T) {
	file := modelWeightsFile(t, "resnet18", 1000, 3)
	want, _, err := checkpoint.LoadWeights(file)
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig().DatasetDefaults()
	cfg.Model, cfg.Weights = "resnet18", file
	reps, err := newReplicas(&cfg, 1, 10, 3)
	if err != nil {
		t.Fatal(err)
	}
	defer closeReplicas(reps)
	fresh := byName(checkpoint.Weights(reps[0].model))
	var out bytes.Buffer
	if err := loadWeightsFile(reps, &cfg, 10, 3, &out); err != nil {
		t.Fatal(err)
	}
	got := byName(checkpoint.Weights(reps[0].model))
	loaded := 0
	for _, w := range want {
		g := got[w.Name]
		if w.Name == "fc.weight" || w.Name == "fc.bias" {
			if !slices.Equal(g.Data, fresh[w.Name].Data) || g.Shape[0] != 10 {
				t.Errorf("%s: shape %v, want the model's own initialisation at 10 classes", w.Name, g.Shape)
			}
			continue
		}
		if !slices.Equal(g.Shape, w.Shape) || !slices.Equal(g.Data, w.Data) {
			t.Errorf("%s differs from the file's", w.Name)
		}
		if !slices.Equal(fresh[w.Name].Data, w.Data) {
			loaded++
		}
	}
	if loaded == 0 {
		t.Fatal("the file's weights equal the model's initialisation: the test checks nothing")
	}
	line := out.String()
	for _, s := range []string{"-weights " + file, "fc.bias (shape (1000) in the file, (10) in the model)",
		"fc.weight (shape (1000,512) in the file, (10,512) in the model)"} {
		if !strings.Contains(line, s) || strings.Count(line, "\n") != 1 {
			t.Errorf("printed %q, want one line with %q", line, s)
		}
	}

	// A first convolution for one input channel is left out too.
	cfg.Weights = modelWeightsFile(t, "resnet18", 10, 1)
	out.Reset()
	if err := loadWeightsFile(reps, &cfg, 10, 3, &out); err != nil || !strings.Contains(out.String(), "conv1.weight (shape (64,1,7,7) in the file, (64,3,7,7) in the model)") {
		t.Errorf("-weights for 1 input channel: printed %q, error %v", out.String(), err)
	}

	// Another model's weights (a typo'd -model) are refused.
	cfg.Weights = modelWeightsFile(t, "resnet34", 1000, 3)
	err = loadWeightsFile(reps, &cfg, 10, 3, &out)
	if err == nil || !strings.Contains(err.Error(), "unexpected: layer1.2.bn1.bias") {
		t.Errorf("resnet34 weights into resnet18: error %v, want the unexpected tensors named", err)
	}
}

// TestFineTuneFreezes fine-tunes ImageNet-shaped resnet18 weights on a
// 10-class image folder for two steps with -freeze conv1.,bn1.,layer1.:
// the frozen parameters are bit-identical to the file's afterwards (no
// update, no weight decay), every other one changed, and the start line
// counts the trainable parameters.
func TestFineTuneFreezes(t *testing.T) {
	cfg := folderConfig(t, imageFolder(t, 2)) // 20 training images: 2 steps of 8
	cfg.Model, cfg.Weights = "resnet18", modelWeightsFile(t, "resnet18", 1000, 3)
	cfg.Freeze = []string{"conv1.", "bn1.", "layer1."}
	var out bytes.Buffer
	if err := Run(context.Background(), cfg, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "11,181,642 parameters (11,024,138 trainable: -freeze conv1.,bn1.,layer1.)") {
		t.Errorf("output %q does not count the trainable parameters", out.String())
	}
	ck, err := checkpoint.Load(cfg.Output)
	if err != nil {
		t.Fatal(err)
	}
	file, _, err := checkpoint.LoadWeights(cfg.Weights)
	if err != nil {
		t.Fatal(err)
	}
	before, after := byName(file), byName(ck.Weights)
	spec, _ := models.Lookup("resnet18")
	m := spec.New(nn.NewShapeBuilder(meta.NewDevice()), models.Options{Classes: 10})
	frozen := 0
	for _, p := range nn.Parameters(m) {
		a, b := after[p.Name], before[p.Name]
		isFrozen := strings.HasPrefix(p.Name, "conv1.") || strings.HasPrefix(p.Name, "bn1.") || strings.HasPrefix(p.Name, "layer1.")
		switch {
		case isFrozen && !slices.Equal(a.Data, b.Data):
			t.Errorf("frozen %s changed", p.Name)
		case !isFrozen && slices.Equal(a.Data, b.Data):
			t.Errorf("trainable %s did not change", p.Name)
		}
		if isFrozen {
			frozen++
		}
	}
	if frozen != 15 {
		t.Errorf("%d frozen parameters checked, want 15 (conv1, bn1 and layer1's)", frozen)
	}
}

// TestFreezeRefusesBadPrefixes checks -freeze's forms and its one-line
// errors.
func TestFreezeRefusesBadPrefixes(t *testing.T) {
	spec, _ := models.Lookup("resnet18")
	cfg := DefaultConfig()
	cfg.Model = "resnet18"
	for _, c := range []struct {
		freeze    string
		trainable []string // the names of the trainable parameters, or
		err       string   // the error
	}{
		{freeze: "!fc.", trainable: []string{"fc.weight", "fc.bias"}},
		{freeze: "!fc.weight,!layer4.1.bn2.", trainable: []string{"layer4.1.bn2.weight", "layer4.1.bn2.bias", "fc.weight"}},
		{freeze: "conv1.,layer9.", err: `-freeze conv1.,layer9.: no parameter of resnet18 starts with "layer9."`},
		{freeze: "conv1.,!fc.", err: "-freeze conv1.,!fc.: either every prefix starts with ! (freeze all but those) or none does"},
		{freeze: "conv1.,", err: "-freeze conv1.,: empty prefix"},
		{freeze: "conv,bn,layer,fc", err: "-freeze conv,bn,layer,fc: freezes every parameter of resnet18"},
	} {
		cfg.Freeze = strings.Split(c.freeze, ",")
		m := spec.New(nn.NewShapeBuilder(meta.NewDevice()), models.Options{Classes: 10})
		params, err := trainableParams(&cfg, m)
		if c.err != "" {
			if err == nil || !strings.HasPrefix(err.Error(), c.err) {
				t.Errorf("-freeze %s: error %v, want %q", c.freeze, err, c.err)
			}
			continue
		}
		var names []string
		for _, p := range params {
			names = append(names, p.Name)
		}
		slices.Sort(names)
		slices.Sort(c.trainable)
		if err != nil || !slices.Equal(names, c.trainable) {
			t.Errorf("-freeze %s: trainable %v, error %v; want %v", c.freeze, names, err, c.trainable)
		}
		for _, p := range nn.Parameters(m) {
			if p.Tensor.RequiresGrad() != slices.Contains(names, p.Name) {
				t.Errorf("-freeze %s: %s requires a gradient: %v", c.freeze, p.Name, p.Tensor.RequiresGrad())
			}
		}
	}
}
