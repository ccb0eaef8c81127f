package optim_test

import (
	"math"
	"testing"

	"github.com/gocnn/gocnn/optim"
)

// rmspropRef is torch.optim.RMSprop's update written out in float64 (eps
// after the square root).
func rmspropRef(cfg optim.RMSpropConfig, wd float64, w []float64, grads [][]float64) []float64 {
	w = f64(w)
	sq, ga, buf := make([]float64, len(w)), make([]float64, len(w)), make([]float64, len(w))
	for _, g := range grads {
		if g == nil {
			continue
		}
		g = f64(g)
		for i := range w {
			d := g[i] + wd*w[i]
			sq[i] = cfg.Alpha*sq[i] + (1-cfg.Alpha)*d*d
			avg := sq[i]
			if cfg.Centered {
				ga[i] = cfg.Alpha*ga[i] + (1-cfg.Alpha)*d
				avg -= ga[i] * ga[i]
			}
			step := d / (math.Sqrt(avg) + cfg.Eps)
			if cfg.Momentum > 0 {
				buf[i] = cfg.Momentum*buf[i] + step
				step = buf[i]
			}
			w[i] -= cfg.LR * step
		}
	}
	return w
}

func TestRMSpropMatchesFormula(t *testing.T) {
	f := formula{
		seed: [2]uint64{5, 6}, steps: 5, skip: map[[2]int]bool{{2, 0}: true},
		policy: optim.DecayPolicy{WeightDecay: 1e-2, BiasWeightDecay: optim.Float(0)},
		decays: []float64{1e-2, 0},
	}
	for _, cfg := range []optim.RMSpropConfig{
		optim.MobileNetV3RMSprop,
		{LR: 0.01, Alpha: 0.99, Eps: 1e-8},
		{LR: 0.01, Alpha: 0.9, Eps: 1e-3, Momentum: 0.5, Centered: true},
	} {
		f.check(t, func(g []optim.Group) (optim.Optimizer, error) { return optim.NewRMSprop(g, cfg) },
			func(wd float64, w []float64, grads [][]float64) []float64 { return rmspropRef(cfg, wd, w, grads) })
	}
}

// TestRMSpropEpsAfterSqrt pins the eps placement on one step worked out by
// hand: g = 0.1, alpha 0.9, eps 0.0316, no momentum, lr 1:
// sq = 0.1*0.01 = 0.001, sqrt = 0.0316228, step = 0.1/(0.0316228+0.0316)
// = 1.5817..., where eps inside the root would give 0.1/sqrt(0.001+0.0316).
func TestRMSpropEpsAfterSqrt(t *testing.T) {
	params := makeParams(newDevice(), []spec{{"w", []float64{0}, []int{1}}})
	opt, err := optim.NewRMSprop([]optim.Group{{Params: params}}, optim.RMSpropConfig{LR: 1, Alpha: 0.9, Eps: 0.0316})
	if err != nil {
		t.Fatal(err)
	}
	run(opt, params, [][][]float64{{{0.1}}}, 0)
	near(t, "w", params[0].Tensor.Float32s(), []float64{-0.1 / (0.031622776601683794 + 0.0316)}, 1e-6, 1e-6)
}
