package optim_test

import (
	"encoding/json"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/optim"
)

// optimizers builds each optimizer kind over groups.
var optimizers = map[string]func([]optim.Group) (optim.Optimizer, error){
	"sgd": func(g []optim.Group) (optim.Optimizer, error) {
		return optim.NewSGD(g, optim.SGDConfig{LR: 0.1, Momentum: 0.9, Nesterov: true})
	},
	"adamw": func(g []optim.Group) (optim.Optimizer, error) {
		return optim.NewAdamW(g, optim.AdamWConfig{LR: 0.01, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8})
	},
	"rmsprop": func(g []optim.Group) (optim.Optimizer, error) {
		return optim.NewRMSprop(g, optim.RMSpropConfig{LR: 0.01, Alpha: 0.9, Eps: 0.0316, Momentum: 0.9, Centered: true})
	},
}

// roundTrip passes st through JSON and host memory, as a checkpoint does,
// landing the tensors on dev.
func roundTrip(t *testing.T, st optim.State, dev *autograd.Device) optim.State {
	js, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	var out optim.State
	if err := json.Unmarshal(js, &out); err != nil {
		t.Fatal(err)
	}
	out.Tensors = map[string]*autograd.Tensor{}
	for k, v := range st.Tensors {
		out.Tensors[k] = autograd.FromFloat32s(dev, v.Float32s(), v.Shape()...)
	}
	return out
}

// TestResumeIsExact checks that 3 steps, a checkpoint and 3 more steps on a
// fresh optimizer give bit for bit the weights of 6 uninterrupted steps.
func TestResumeIsExact(t *testing.T) {
	for kind, build := range optimizers {
		rng := rand.New(rand.NewPCG(7, 8))
		ps := specs(rng)
		grads := gradients(rng, ps, 6, map[[2]int]bool{{1, 1}: true})
		policy := optim.DecayPolicy{WeightDecay: 1e-3, BiasWeightDecay: optim.Float(0)}

		straight := makeParams(newDevice(), ps)
		opt, err := build(policy.Groups(straight))
		if err != nil {
			t.Fatal(err)
		}
		run(opt, straight, grads, 0)

		first := makeParams(newDevice(), ps)
		opt, err = build(policy.Groups(first))
		if err != nil {
			t.Fatal(err)
		}
		run(opt, first, grads[:3], 0)
		dev := newDevice()
		st := roundTrip(t, opt.State(), dev)
		resumed := makeParams(dev, ps)
		for i, p := range resumed {
			p.Tensor.CopyFrom(autograd.FromFloat32s(dev, first[i].Tensor.Float32s(), p.Tensor.Shape()...))
		}
		opt2, err := build(policy.Groups(resumed))
		if err != nil {
			t.Fatal(err)
		}
		opt2.SetLR(123)
		if err := opt2.LoadState(st); err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		if opt2.LR() != opt.LR() {
			t.Errorf("%s: LR after LoadState = %v, want %v", kind, opt2.LR(), opt.LR())
		}
		run(opt2, resumed, grads, 3)
		for i := range ps {
			if got, want := resumed[i].Tensor.Float32s(), straight[i].Tensor.Float32s(); !slices.Equal(got, want) {
				t.Errorf("%s: %s resumed %v, straight %v", kind, ps[i].name, got, want)
			}
		}
	}
}

func TestLoadStateRejectsMismatch(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	ps := specs(rng)
	grads := gradients(rng, ps, 2, nil)
	params := makeParams(newDevice(), ps)
	opt, err := optimizers["adamw"]([]optim.Group{{Params: params}})
	if err != nil {
		t.Fatal(err)
	}
	run(opt, params, grads, 0)
	dev := params[0].Tensor.Device()
	for name, spoil := range map[string]func(*optim.State){
		"kind":          func(s *optim.State) { s.Kind = "sgd" },
		"no lr":         func(s *optim.State) { delete(s.Numbers, "lr") },
		"unknown num":   func(s *optim.State) { s.Numbers["fc.weight.step"] = 1 },
		"fractional":    func(s *optim.State) { s.Numbers["conv.bias.step"] = 1.5 },
		"unknown param": func(s *optim.State) { s.Tensors["fc.weight.exp_avg"] = autograd.Zeros(dev, 2) },
		"unknown buf":   func(s *optim.State) { s.Tensors["conv.bias.momentum_buffer"] = autograd.Zeros(dev, 2) },
		"shape":         func(s *optim.State) { s.Tensors["conv.bias.exp_avg"] = autograd.Zeros(dev, 3) },
	} {
		st := roundTrip(t, opt.State(), dev)
		spoil(&st)
		before := opt.State().Numbers["conv.bias.step"]
		if opt.LoadState(st) == nil {
			t.Errorf("%s: LoadState accepted a spoiled state", name)
		}
		if after := opt.State().Numbers["conv.bias.step"]; after != before {
			t.Errorf("%s: failed LoadState changed the step from %v to %v", name, before, after)
		}
	}
}
