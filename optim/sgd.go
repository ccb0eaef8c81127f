package optim

import "github.com/gocnn/gocnn/autograd"

// SGDConfig holds SGD's hyperparameters, named as torch.optim.SGD's.
type SGDConfig struct {
	LR, Momentum, Dampening float64
	Nesterov                bool
}

// SGD is stochastic gradient descent with momentum, dampening and Nesterov
// momentum, with PyTorch's update (see SGDParams): weight decay is
// L2, added to the gradient, and the momentum buffer starts at the first
// gradient, undampened.
type SGD struct {
	base
	cfg SGDConfig
}

// NewSGD returns an SGD optimizer over groups. It returns an error for a
// negative learning rate, momentum or dampening, for Nesterov without
// momentum or with dampening (as PyTorch), or for a negative weight decay;
// it panics on parameter names that are empty or repeated.
func NewSGD(groups []Group, cfg SGDConfig) (*SGD, error) {
	if err := checkHyper("sgd",
		hyper{"lr", cfg.LR, cfg.LR >= 0},
		hyper{"momentum", cfg.Momentum, cfg.Momentum >= 0},
		hyper{"dampening", cfg.Dampening, cfg.Dampening >= 0},
		hyper{"nesterov with momentum", cfg.Momentum, !cfg.Nesterov || cfg.Momentum > 0 && cfg.Dampening == 0},
		hyper{"weight decay", minDecay(groups), minDecay(groups) >= 0},
	); err != nil {
		return nil, err
	}
	o := &SGD{base: newBase("sgd", groups, cfg.LR, "momentum_buffer"), cfg: cfg}
	o.update = o.step
	return o, nil
}

func (o *SGD) step(s *slot) {
	p := SGDParams{
		LR:          float32(o.lr),
		Momentum:    float32(o.cfg.Momentum),
		Dampening:   float32(o.cfg.Dampening),
		WeightDecay: float32(s.wd),
		Nesterov:    o.cfg.Nesterov,
	}
	var momentum autograd.Buffer
	if o.cfg.Momentum != 0 {
		buf, fresh := o.buf(s, 0, false)
		momentum, p.FirstStep = buf.Buffer(), fresh
	}
	fused[FusedSGD](s.Tensor.Device().Backend()).SGDStep(p, s.Tensor.Buffer(), s.Tensor.Grad().Buffer(), momentum)
}

// minDecay returns the smallest weight decay of groups (0 for none).
func minDecay(groups []Group) float64 {
	m := 0.0
	for _, g := range groups {
		m = min(m, g.WeightDecay)
	}
	return m
}
