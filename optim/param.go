package optim

import (
	"fmt"
	"strings"

	"github.com/gocnn/gocnn/autograd"
)

// Param is a named model parameter, named as in torchvision
// ("layer1.0.bn1.weight").
type Param struct {
	Name   string
	Tensor *autograd.Tensor
}

// Group is a set of parameters that share a weight decay, like one of
// PyTorch's param_groups. Every group of an optimizer shares its learning
// rate, so schedules scale all groups alike.
type Group struct {
	Params      []Param
	WeightDecay float64
}

// DecayPolicy splits parameters into groups by weight decay, as
// torchvision's set_weight_decay does for --norm-weight-decay and
// --bias-weight-decay. Without module types to look at, it classifies a
// parameter by its name and shape:
//
//   - a bias is a parameter named "bias" or "<prefix>.bias";
//   - a norm parameter is a 1-D parameter that is not a bias (in
//     torchvision's models only batch, group and layer norm weights are
//     1-D), or the bias beside such a weight ("<prefix>.bias" where
//     "<prefix>.weight" is 1-D);
//   - everything else (conv and linear weights) is a plain weight.
//
// A bias goes to the bias group when BiasWeightDecay is set, as
// torchvision's custom key "bias" is checked before the norm classes;
// otherwise a norm parameter goes to the norm group when NormWeightDecay is
// set; everything else gets WeightDecay. With both set to zero, every 1-D
// tensor and every bias is exempt from decay.
type DecayPolicy struct {
	WeightDecay     float64
	NormWeightDecay *float64 // torchvision's --norm-weight-decay
	BiasWeightDecay *float64 // torchvision's --bias-weight-decay
}

// Groups returns params split by p, keeping their order within each group:
// the default group first, then norm, then bias; empty groups are left out.
func (p DecayPolicy) Groups(params []Param) []Group {
	shapes := map[string]autograd.Shape{}
	for _, q := range params {
		shapes[q.Name] = q.Tensor.Shape()
	}
	isNorm := func(q Param) bool {
		prefix, bias := strings.CutSuffix(q.Name, ".bias")
		if !bias {
			return len(q.Tensor.Shape()) == 1 && q.Name != "bias"
		}
		w, ok := shapes[prefix+".weight"]
		return ok && len(w) == 1
	}
	var other, norm, bias []Param
	for _, q := range params {
		switch {
		case p.BiasWeightDecay != nil && isBias(q.Name):
			bias = append(bias, q)
		case p.NormWeightDecay != nil && isNorm(q):
			norm = append(norm, q)
		default:
			other = append(other, q)
		}
	}
	var groups []Group
	add := func(ps []Param, wd float64) {
		if len(ps) > 0 {
			groups = append(groups, Group{Params: ps, WeightDecay: wd})
		}
	}
	add(other, p.WeightDecay)
	if p.NormWeightDecay != nil {
		add(norm, *p.NormWeightDecay)
	}
	if p.BiasWeightDecay != nil {
		add(bias, *p.BiasWeightDecay)
	}
	return groups
}

func isBias(name string) bool { return name == "bias" || strings.HasSuffix(name, ".bias") }

// Float returns a pointer to v, for DecayPolicy's overrides.
func Float(v float64) *float64 { return &v }

// checkGroups panics on a parameter listed twice or without a name: the
// names key the optimizer state, so they must be unique.
func checkGroups(groups []Group) {
	seen := map[string]bool{}
	for _, g := range groups {
		for _, p := range g.Params {
			if p.Name == "" || seen[p.Name] {
				panic(fmt.Sprintf("optim: parameter name %q is empty or repeated", p.Name))
			}
			if p.Tensor.DType() != autograd.Float32 {
				panic(fmt.Sprintf("optim: parameter %s is %v, want float32", p.Name, p.Tensor.DType()))
			}
			seen[p.Name] = true
		}
	}
}
