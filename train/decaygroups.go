package train

import "github.com/gocnn/gocnn/optim"

// decayPolicy returns how the optimizer splits the parameters by weight
// decay: -wd for all, except batch-norm parameters with
// -norm-weight-decay and biases with -bias-weight-decay when those are
// set (torchvision's set_weight_decay).
func (c *Config) decayPolicy() optim.DecayPolicy {
	return optim.DecayPolicy{WeightDecay: c.WeightDecay, NormWeightDecay: c.NormWeightDecay, BiasWeightDecay: c.BiasWeightDecay}
}
