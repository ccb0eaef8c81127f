package optim

import "github.com/gocnn/gocnn/autograd"

// RMSpropConfig holds RMSprop's hyperparameters, named as
// torch.optim.RMSprop's (PyTorch's defaults: Alpha 0.99, Eps 1e-8).
type RMSpropConfig struct {
	LR, Alpha, Eps, Momentum float64
	Centered                 bool
}

// MobileNetV3RMSprop is torchvision's recipe for MobileNetV3
// (references/classification, --opt rmsprop --lr 0.064 --wd 0.00001 with
// train.py's default --momentum 0.9, and train.py's fixed eps 0.0316 and
// alpha 0.9), for 8 GPUs x batch 128. Give its groups weight decay 1e-5.
var MobileNetV3RMSprop = RMSpropConfig{LR: 0.064, Alpha: 0.9, Eps: 0.0316, Momentum: 0.9}

// RMSprop is Hinton's RMSprop with PyTorch's update (see RMSpropParams):
// L2 weight decay added to the gradient, the running mean square starting
// at zero, and Eps added after the square root, sqrt(mean square) + Eps.
//
// That placement is why torchvision's MobileNetV3 recipe uses eps 0.0316:
// the paper trained with TensorFlow's RMSProp, which adds its epsilon
// (0.001) inside the root, sqrt(mean square + 0.001), and sqrt(0.001) is
// 0.0316; with eps outside, 0.0316 bounds the step the same way where the
// mean square is small. This is PyTorch's formula, not TensorFlow's (which
// also starts the mean square at one), so torchvision's recipe carries over
// unchanged.
type RMSprop struct {
	base
	cfg RMSpropConfig
}

// NewRMSprop returns an RMSprop optimizer over groups. It returns an error
// for a negative learning rate, eps, momentum or weight decay, or alpha
// outside [0, 1]; it panics on parameter names that are empty or repeated.
func NewRMSprop(groups []Group, cfg RMSpropConfig) (*RMSprop, error) {
	if err := checkHyper("rmsprop",
		hyper{"lr", cfg.LR, cfg.LR >= 0},
		hyper{"alpha", cfg.Alpha, cfg.Alpha >= 0 && cfg.Alpha <= 1},
		hyper{"eps", cfg.Eps, cfg.Eps >= 0},
		hyper{"momentum", cfg.Momentum, cfg.Momentum >= 0},
		hyper{"weight decay", minDecay(groups), minDecay(groups) >= 0},
	); err != nil {
		return nil, err
	}
	o := &RMSprop{base: newBase("rmsprop", groups, cfg.LR, "square_avg", "momentum_buffer", "grad_avg"), cfg: cfg}
	o.update = o.step
	return o, nil
}

func (o *RMSprop) step(s *slot) {
	sq, _ := o.buf(s, 0, true)
	var momentum, gradAvg autograd.Buffer
	if o.cfg.Momentum > 0 {
		t, _ := o.buf(s, 1, true)
		momentum = t.Buffer()
	}
	if o.cfg.Centered {
		t, _ := o.buf(s, 2, true)
		gradAvg = t.Buffer()
	}
	p := RMSpropParams{
		LR:          float32(o.lr),
		Alpha:       float32(o.cfg.Alpha),
		Eps:         float32(o.cfg.Eps),
		WeightDecay: float32(s.wd),
		Momentum:    float32(o.cfg.Momentum),
		Centered:    o.cfg.Centered,
	}
	fused[FusedRMSprop](s.Tensor.Device().Backend()).RMSpropStep(p, s.Tensor.Buffer(), s.Tensor.Grad().Buffer(), sq.Buffer(), momentum, gradAvg)
}
