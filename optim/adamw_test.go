package optim_test

import (
	"math"
	"testing"

	"github.com/gocnn/gocnn/optim"
)

// adamWRef is torch.optim.AdamW's update written out in float64, with the
// step counted per parameter (a step without gradient does not count).
func adamWRef(cfg optim.AdamWConfig, wd float64, w []float64, grads [][]float64) []float64 {
	w = f64(w)
	m, v := make([]float64, len(w)), make([]float64, len(w))
	step := 0
	for _, g := range grads {
		if g == nil {
			continue
		}
		g = f64(g)
		step++
		bc1 := 1 - math.Pow(cfg.Beta1, float64(step))
		bc2 := 1 - math.Pow(cfg.Beta2, float64(step))
		for i := range w {
			w[i] *= 1 - cfg.LR*wd
			m[i] = cfg.Beta1*m[i] + (1-cfg.Beta1)*g[i]
			v[i] = cfg.Beta2*v[i] + (1-cfg.Beta2)*g[i]*g[i]
			w[i] -= cfg.LR / bc1 * m[i] / (math.Sqrt(v[i])/math.Sqrt(bc2) + cfg.Eps)
		}
	}
	return w
}

func TestAdamWMatchesFormula(t *testing.T) {
	f := formula{
		seed: [2]uint64{3, 4}, steps: 6, skip: map[[2]int]bool{{0, 1}: true, {3, 1}: true},
		policy: optim.DecayPolicy{WeightDecay: 0.05, BiasWeightDecay: optim.Float(0)},
		decays: []float64{0.05, 0},
	}
	for _, cfg := range []optim.AdamWConfig{
		{LR: 1e-3, Beta1: 0.9, Beta2: 0.999, Eps: 1e-8},
		{LR: 0.01, Beta1: 0.5, Beta2: 0.9, Eps: 0.1},
	} {
		opt := f.check(t, func(g []optim.Group) (optim.Optimizer, error) { return optim.NewAdamW(g, cfg) },
			func(wd float64, w []float64, grads [][]float64) []float64 { return adamWRef(cfg, wd, w, grads) })
		if got := opt.State().Numbers["conv.bias.step"]; got != 4 {
			t.Errorf("conv.bias.step = %v after 6 steps with 2 skipped, want 4", got)
		}
	}
}

// TestAdamWByHand: the first step of Adam moves every weight by -lr*sign(g)
// (m/sqrt(v) = g/|g| after bias correction), plus the decay; worked out:
// w = 2, g = -3, lr 0.1, wd 0.5, eps 0: 2*(1-0.05) + 0.1 = 2.0.
func TestAdamWByHand(t *testing.T) {
	dev := newDevice()
	ps := []spec{{"w", []float64{2}, []int{1}}}
	params := makeParams(dev, ps)
	opt, err := optim.NewAdamW([]optim.Group{{Params: params, WeightDecay: 0.5}}, optim.AdamWConfig{LR: 0.1, Beta1: 0.9, Beta2: 0.999})
	if err != nil {
		t.Fatal(err)
	}
	run(opt, params, [][][]float64{{{-3}}}, 0)
	near(t, "w", params[0].Tensor.Float32s(), []float64{2.0}, 1e-6, 1e-6)
}
