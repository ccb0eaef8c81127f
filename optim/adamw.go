package optim

// AdamWConfig holds AdamW's hyperparameters, named as torch.optim.AdamW's;
// PyTorch's defaults are Beta1 0.9, Beta2 0.999, Eps 1e-8 and weight decay
// 0.01 (set per Group here).
type AdamWConfig struct {
	LR, Beta1, Beta2, Eps float64
}

// AdamW is Adam with decoupled weight decay (Loshchilov & Hutter 2019),
// with PyTorch's update (see AdamWParams): the decay shrinks the
// weights by LR*WeightDecay before the Adam step instead of entering the
// gradient, and the moments start at zero with per-parameter bias
// correction.
type AdamW struct {
	base
	cfg AdamWConfig
}

// NewAdamW returns an AdamW optimizer over groups. It returns an error for a
// negative learning rate, eps or weight decay, or betas outside [0, 1); it
// panics on parameter names that are empty or repeated.
func NewAdamW(groups []Group, cfg AdamWConfig) (*AdamW, error) {
	if err := checkHyper("adamw",
		hyper{"lr", cfg.LR, cfg.LR >= 0},
		hyper{"beta1", cfg.Beta1, cfg.Beta1 >= 0 && cfg.Beta1 < 1},
		hyper{"beta2", cfg.Beta2, cfg.Beta2 >= 0 && cfg.Beta2 < 1},
		hyper{"eps", cfg.Eps, cfg.Eps >= 0},
		hyper{"weight decay", minDecay(groups), minDecay(groups) >= 0},
	); err != nil {
		return nil, err
	}
	o := &AdamW{base: newBase("adamw", groups, cfg.LR, "exp_avg", "exp_avg_sq"), cfg: cfg}
	o.update = o.step
	return o, nil
}

func (o *AdamW) step(s *slot) {
	m, _ := o.buf(s, 0, true)
	v, _ := o.buf(s, 1, true)
	p := AdamWParams{
		LR:          float32(o.lr),
		Beta1:       float32(o.cfg.Beta1),
		Beta2:       float32(o.cfg.Beta2),
		Eps:         float32(o.cfg.Eps),
		WeightDecay: float32(s.wd),
		Step:        s.step,
	}
	fused[FusedAdamW](s.Tensor.Device().Backend()).AdamWStep(p, s.Tensor.Buffer(), s.Tensor.Grad().Buffer(), m.Buffer(), v.Buffer())
}
