package train

import (
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/gocnn/gocnn/autograd/meta"
	"github.com/gocnn/gocnn/nn"
	"github.com/gocnn/gocnn/nn/models"
	"github.com/gocnn/gocnn/optim"
)

// firstStepFromNonzero returns the parameters after the first step of cfg
// at a learning rate of 0.05, batch norm in evaluation mode, from the
// seed's initial weights with every 1-D parameter (batch norm's, biases,
// which start at 0 or 1) set to 0.5, so that weight decay moves them all.
func firstStepFromNonzero(t *testing.T, cfg Config) map[string][]float32 {
	t.Helper()
	tr, err := newTrainer(&cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := tr.close(); err != nil {
			t.Error(err)
		}
	}()
	r := tr.reps[0]
	nn.SetTraining(r.model, false)
	for _, p := range r.params {
		if len(p.Tensor.Shape()) == 1 {
			v := make([]float32, p.Tensor.Shape()[0])
			for i := range v {
				v[i] = 0.5
			}
			p.Tensor.SetFloat32s(v)
		}
	}
	ep := tr.trainLoader.Epoch(0)
	defer ep.Close()
	if _, _, err := tr.feed(ep, tr.trainIn); err != nil {
		t.Fatal(err)
	}
	if err := tr.queueStep(0.05); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.readStep([]*scores{newScores(tr.data.classes, false)}); err != nil {
		t.Fatal(err)
	}
	params := map[string][]float32{}
	for _, p := range r.params {
		params[p.Name] = p.Tensor.Float32s()
	}
	return params
}

// TestDecayGroupsOfResNet20 checks which of ResNet-20's parameters
// -norm-weight-decay and -bias-weight-decay reach, by their effect on the
// first SGD step (no momentum): with -wd 0.5 and the group's decay 0, the
// parameters whose step changes are exactly the batch-norm modules'
// weights and biases, and exactly the biases (batch norm's and fc's).
func TestDecayGroupsOfResNet20(t *testing.T) {
	m, err := models.New("resnet20", nn.NewShapeBuilder(meta.NewDevice()), models.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var norm, biases []string
	nn.Walk(m, func(name string, mod nn.Module) {
		if _, ok := mod.(*nn.BatchNorm2D); ok {
			norm = append(norm, name+".weight", name+".bias")
		}
	})
	for _, p := range nn.Parameters(m) {
		if strings.HasSuffix(p.Name, ".bias") {
			biases = append(biases, p.Name)
		}
	}
	if len(norm) != 2*19 || len(biases) != 19+1 {
		t.Fatalf("ResNet-20 has %d batch-norm parameters and %d biases, want 38 and 20", len(norm), len(biases))
	}

	cfg := randomConfig(t, 16)
	cfg.Opt, cfg.Momentum, cfg.WeightDecay = "sgd", 0, 0.5
	plain := firstStepFromNonzero(t, cfg)
	changed := func(c Config) []string {
		var names []string
		for name, p := range firstStepFromNonzero(t, c) {
			if !slices.Equal(p, plain[name]) {
				names = append(names, name)
			}
		}
		slices.Sort(names)
		return names
	}
	normCfg := cfg
	normCfg.NormWeightDecay = optim.Float(0)
	biasCfg := cfg
	biasCfg.BiasWeightDecay = optim.Float(0)
	for _, tc := range []struct {
		flag string
		cfg  Config
		want []string
	}{{"-norm-weight-decay", normCfg, norm}, {"-bias-weight-decay", biasCfg, biases}} {
		slices.Sort(tc.want)
		if got := changed(tc.cfg); !slices.Equal(got, tc.want) {
			t.Errorf("%s 0 changes the step of %v, want %v", tc.flag, got, tc.want)
		}
	}
	sameWD := cfg
	sameWD.NormWeightDecay, sameWD.BiasWeightDecay = optim.Float(0.5), optim.Float(0.5)
	if got := changed(sameWD); len(got) > 0 {
		t.Errorf("-norm-weight-decay and -bias-weight-decay equal to -wd change the step of %v", got)
	}
}
