package autograd

// SGDParams are the hyperparameters of one fused SGD update, with
// PyTorch's torch.optim.SGD semantics:
//
//	d = grad + WeightDecay*param
//	buf = d                                      (FirstStep)
//	buf = Momentum*buf + (1-Dampening)*d         (later steps)
//	d = d + Momentum*buf (Nesterov), else d = buf (when Momentum != 0)
//	param -= LR*d
type SGDParams struct {
	LR, Momentum, Dampening, WeightDecay float32
	Nesterov                             bool
	// FirstStep starts the momentum buffer at d (it is not read), as
	// PyTorch does on a parameter's first step: no dampening then.
	FirstStep bool
}

// AdamWParams are the hyperparameters of one fused AdamW update
// (Loshchilov & Hutter, decoupled weight decay) with PyTorch's
// torch.optim.AdamW semantics (amsgrad off):
//
//	param *= 1 - LR*WeightDecay
//	m = Beta1*m + (1-Beta1)*grad
//	v = Beta2*v + (1-Beta2)*grad^2
//	param -= LR/(1-Beta1^Step) * m / (sqrt(v)/sqrt(1-Beta2^Step) + Eps)
type AdamWParams struct {
	LR, Beta1, Beta2, Eps, WeightDecay float32
	// Step is the 1-based count of updates of this parameter, this one
	// included; it sets the bias corrections.
	Step int
}

// RMSpropParams are the hyperparameters of one fused RMSprop update with
// PyTorch's torch.optim.RMSprop semantics, Eps added after the square root:
//
//	g = grad + WeightDecay*param
//	sq = Alpha*sq + (1-Alpha)*g^2
//	ga = Alpha*ga + (1-Alpha)*g;   denom = sqrt(sq - ga^2) + Eps   (Centered)
//	                               denom = sqrt(sq) + Eps          (otherwise)
//	buf = Momentum*buf + g/denom;  param -= LR*buf                 (Momentum > 0)
//	                               param -= LR*g/denom             (otherwise)
type RMSpropParams struct {
	LR, Alpha, Eps, WeightDecay, Momentum float32
	Centered                              bool
}
