package train

import (
	"fmt"

	"github.com/gocnn/gocnn/optim"
)

// schedule returns the learning rate as a function of the optimizer step.
// The flags count epochs, as torchvision's train.py; the rate is set every
// step, so short runs decay smoothly. Being a pure function of the step,
// it needs no state of its own in a checkpoint.
func schedule(cfg *Config, stepsPerEpoch int) (optim.Schedule, error) {
	warm := cfg.LRWarmupEpochs * stepsPerEpoch
	rest := cfg.Epochs*stepsPerEpoch - warm
	var main optim.Schedule
	switch cfg.LRScheduler {
	case "cosineannealinglr":
		main = optim.CosineAnnealingLR{Base: cfg.LR, Min: cfg.LRMin, TMax: rest}
	case "steplr":
		main = optim.StepLR{Base: cfg.LR, StepSize: cfg.LRStepSize * stepsPerEpoch, Gamma: cfg.LRGamma}
	case "multisteplr":
		ms := make([]int, len(cfg.LRMilestones))
		for i, m := range cfg.LRMilestones {
			ms[i] = m * stepsPerEpoch
		}
		main = optim.MultiStepLR{Base: cfg.LR, Milestones: ms, Gamma: cfg.LRGamma}
	case "exponentiallr":
		main = optim.PerEpoch{Epochs: optim.ExponentialLR{Base: cfg.LR, Gamma: cfg.LRGamma}, StepsPerEpoch: stepsPerEpoch}
	case "polynomiallr":
		main = optim.PolynomialLR{Base: cfg.LR, Total: rest, Power: cfg.LRPower}
	case "constant":
		main = optim.ConstantLR{Base: cfg.LR, Factor: 1}
	default:
		return nil, fmt.Errorf("-lr-scheduler %q: want one of %v", cfg.LRScheduler, schedulers)
	}
	s, err := optim.WithWarmup(main, cfg.LRWarmupMethod, warm, cfg.LRWarmupDecay, cfg.LR)
	if err != nil {
		return nil, fmt.Errorf("-lr-scheduler %s: %w", cfg.LRScheduler, err)
	}
	return s, nil
}
