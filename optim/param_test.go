package optim_test

import (
	"slices"
	"testing"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/optim"
)

func TestDecayPolicyGroups(t *testing.T) {
	dev := newDevice()
	param := func(name string, shape ...int) optim.Param {
		return optim.Param{Name: name, Tensor: autograd.Zeros(dev, shape...)}
	}
	params := []optim.Param{
		param("conv1.weight", 8, 3, 3, 3),
		param("bn1.weight", 8),
		param("bn1.bias", 8),
		param("layer1.0.conv1.bias", 8),
		param("fc.weight", 10, 8),
		param("fc.bias", 10),
	}
	names := func(g optim.Group) []string {
		var out []string
		for _, p := range g.Params {
			out = append(out, p.Name)
		}
		return out
	}
	type group struct {
		names []string
		wd    float64
	}
	for _, c := range []struct {
		name   string
		policy optim.DecayPolicy
		want   []group
	}{
		{"one group", optim.DecayPolicy{WeightDecay: 1e-4}, []group{
			{[]string{"conv1.weight", "bn1.weight", "bn1.bias", "layer1.0.conv1.bias", "fc.weight", "fc.bias"}, 1e-4},
		}},
		// torchvision --norm-weight-decay 0: a norm layer's weight and bias.
		{"norm", optim.DecayPolicy{WeightDecay: 1e-4, NormWeightDecay: optim.Float(0)}, []group{
			{[]string{"conv1.weight", "layer1.0.conv1.bias", "fc.weight", "fc.bias"}, 1e-4},
			{[]string{"bn1.weight", "bn1.bias"}, 0},
		}},
		// --bias-weight-decay takes every bias, norm biases included.
		{"norm and bias", optim.DecayPolicy{WeightDecay: 1e-4, NormWeightDecay: optim.Float(0), BiasWeightDecay: optim.Float(1e-5)}, []group{
			{[]string{"conv1.weight", "fc.weight"}, 1e-4},
			{[]string{"bn1.weight"}, 0},
			{[]string{"bn1.bias", "layer1.0.conv1.bias", "fc.bias"}, 1e-5},
		}},
	} {
		got := c.policy.Groups(params)
		if len(got) != len(c.want) {
			t.Errorf("%s: %d groups, want %d", c.name, len(got), len(c.want))
			continue
		}
		for i, g := range got {
			if !slices.Equal(names(g), c.want[i].names) || g.WeightDecay != c.want[i].wd {
				t.Errorf("%s: group %d = %v wd %v, want %v wd %v", c.name, i, names(g), g.WeightDecay, c.want[i].names, c.want[i].wd)
			}
		}
	}
}

func TestRepeatedNamePanics(t *testing.T) {
	dev := newDevice()
	p := optim.Param{Name: "w", Tensor: autograd.Zeros(dev, 2)}
	defer func() {
		if recover() == nil {
			t.Error("no panic on a repeated parameter name")
		}
	}()
	optim.NewSGD([]optim.Group{{Params: []optim.Param{p, p}}}, optim.SGDConfig{LR: 0.1})
}
