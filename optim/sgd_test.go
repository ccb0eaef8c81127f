package optim_test

import (
	"math/rand/v2"
	"testing"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/optim"
)

// sgdRef is torch.optim.SGD's update written out in float64.
func sgdRef(cfg optim.SGDConfig, wd float64, w []float64, grads [][]float64) []float64 {
	w = f64(w)
	buf := make([]float64, len(w))
	first := true
	for _, g := range grads {
		if g == nil {
			continue
		}
		g = f64(g)
		for i := range w {
			d := g[i] + wd*w[i]
			if cfg.Momentum != 0 {
				if first {
					buf[i] = d
				} else {
					buf[i] = cfg.Momentum*buf[i] + (1-cfg.Dampening)*d
				}
				if cfg.Nesterov {
					d += cfg.Momentum * buf[i]
				} else {
					d = buf[i]
				}
			}
			w[i] -= cfg.LR * d
		}
		first = false
	}
	return w
}

func TestSGDMatchesFormula(t *testing.T) {
	f := formula{
		seed: [2]uint64{1, 2}, steps: 5,
		// The bias misses step 1: its momentum starts at its first gradient.
		skip:   map[[2]int]bool{{1, 1}: true},
		policy: optim.DecayPolicy{WeightDecay: 0.05, BiasWeightDecay: optim.Float(0.01)},
		decays: []float64{0.05, 0.01},
	}
	for _, cfg := range []optim.SGDConfig{
		{LR: 0.1},
		{LR: 0.1, Momentum: 0.9},
		{LR: 0.05, Momentum: 0.8, Dampening: 0.3},
		{LR: 0.1, Momentum: 0.9, Nesterov: true},
	} {
		f.check(t, func(g []optim.Group) (optim.Optimizer, error) { return optim.NewSGD(g, cfg) },
			func(wd float64, w []float64, grads [][]float64) []float64 { return sgdRef(cfg, wd, w, grads) })
	}
}

// TestSGDByHand follows loss w^2/2 (gradient w) from w = 1 with lr 0.1 and
// momentum 0.9, worked out on paper:
//
//	plain:    buf 1, w 0.9;  buf 0.9+0.9 = 1.8, w 0.72;  buf 1.62+0.72 = 2.34, w 0.486
//	nesterov: buf 1, d 1.9, w 0.81;  buf 0.9+0.81 = 1.71, d 0.81+1.539 = 2.349, w 0.5751
func TestSGDByHand(t *testing.T) {
	for _, c := range []struct {
		nesterov bool
		want     []float64
	}{
		{false, []float64{0.9, 0.72, 0.486}},
		{true, []float64{0.81, 0.5751}},
	} {
		dev := newDevice()
		w := autograd.FromFloat32s(dev, []float32{1}, 1).SetRequiresGrad(true)
		opt, err := optim.NewSGD([]optim.Group{{Params: []optim.Param{{Name: "w", Tensor: w}}}}, optim.SGDConfig{LR: 0.1, Momentum: 0.9, Nesterov: c.nesterov})
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range c.want {
			opt.ZeroGrad()
			w.SetGrad(autograd.FromFloat32s(dev, w.Float32s(), 1))
			opt.Step()
			near(t, "w", w.Float32s(), []float64{want}, 1e-6, 1e-6)
		}
	}
}

func TestSGDRejectsBadConfig(t *testing.T) {
	params := makeParams(newDevice(), specs(rand.New(rand.NewPCG(1, 1))))
	for _, cfg := range []optim.SGDConfig{
		{LR: -1},
		{LR: 0.1, Momentum: -0.5},
		{LR: 0.1, Nesterov: true},
		{LR: 0.1, Momentum: 0.9, Dampening: 0.1, Nesterov: true},
	} {
		if _, err := optim.NewSGD([]optim.Group{{Params: params}}, cfg); err == nil {
			t.Errorf("NewSGD(%+v) gave no error", cfg)
		}
	}
	if _, err := optim.NewSGD([]optim.Group{{Params: params, WeightDecay: -1}}, optim.SGDConfig{LR: 0.1}); err == nil {
		t.Error("NewSGD with negative weight decay gave no error")
	}
}
