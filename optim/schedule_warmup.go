package optim

import "fmt"

// LinearLR scales Base by a factor that moves linearly from Start to End
// over Iters steps and stays at End afterwards (torch's LinearLR):
// torchvision's "linear" warmup, Start being --lr-warmup-decay.
type LinearLR struct {
	Base       float64
	Start, End float64
	Iters      int
}

// LR returns Base * (Start + (End-Start)*min(t, Iters)/Iters).
func (s LinearLR) LR(t int) float64 {
	return s.Base * (s.Start + (s.End-s.Start)*float64(min(t, s.Iters))/float64(s.Iters))
}

// Validate checks Iters and the factors.
func (s LinearLR) Validate() error {
	if s.Iters < 1 || !(s.Start > 0 && s.Start <= 1) || !(s.End >= 0 && s.End <= 1) {
		return fmt.Errorf("optim: LinearLR factors %v to %v over %d steps", s.Start, s.End, s.Iters)
	}
	return checkRate("LinearLR", s.Base, 1)
}

// ConstantLR scales Base by Factor for the first Iters steps and leaves it
// unscaled afterwards (torch's ConstantLR): torchvision's "constant" warmup.
type ConstantLR struct {
	Base   float64
	Factor float64
	Iters  int
}

// LR returns Base*Factor before step Iters and Base from then on.
func (s ConstantLR) LR(t int) float64 {
	if t < s.Iters {
		return s.Base * s.Factor
	}
	return s.Base
}

// Validate checks Iters and Factor.
func (s ConstantLR) Validate() error {
	if s.Iters < 0 || !(s.Factor >= 0 && s.Factor <= 1) {
		return fmt.Errorf("optim: ConstantLR factor %v for %d steps", s.Factor, s.Iters)
	}
	return checkRate("ConstantLR", s.Base, s.Factor)
}

// WithWarmup prefixes main with steps steps of warmup from base*decay, the
// way torchvision's train.py does for --lr-warmup-method (linear or
// constant), --lr-warmup-epochs and --lr-warmup-decay: a Sequential of the
// warmup and main, main restarting at step 0 when warmup ends. With steps
// 0 it returns main. It returns an error for an unknown method or an
// invalid schedule.
func WithWarmup(main Schedule, method string, steps int, decay, base float64) (Schedule, error) {
	if steps == 0 {
		return validated(main)
	}
	var warm Schedule
	switch method {
	case "linear":
		warm = LinearLR{Base: base, Start: decay, End: 1, Iters: steps}
	case "constant":
		warm = ConstantLR{Base: base, Factor: decay, Iters: steps}
	default:
		return nil, fmt.Errorf("optim: unknown warmup method %q (want linear or constant)", method)
	}
	return validated(Sequential{Schedules: []Schedule{warm, main}, Milestones: []int{steps}})
}

// validated returns s, or its validation error.
func validated(s Schedule) (Schedule, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return s, nil
}
