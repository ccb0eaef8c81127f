package optim

import (
	"fmt"
	"slices"
)

// Schedule gives the learning rate at a step, as a pure function of the
// step, so that resuming from a checkpoint at step t reproduces the
// schedule exactly. A step is an epoch or an iteration, whichever unit the
// schedule's lengths are given in: torchvision's classification recipes
// count epochs, its segmentation recipe iterations. PerEpoch adapts an
// epoch schedule to a loop that sets the rate every iteration.
//
// Each type mirrors one torch.optim.lr_scheduler class in its closed form:
// step 0 is the rate before the first scheduler.step() call.
type Schedule interface {
	// LR returns the learning rate at step t >= 0.
	LR(t int) float64
	// Validate returns an error describing the first invalid field.
	Validate() error
}

// Sequential runs Schedules[0] until Milestones[0], then Schedules[1]
// restarted at step 0, and so on, like torch's SequentialLR: torchvision's
// train.py chains a warmup and its main schedule this way, with the
// milestone at the warmup length.
type Sequential struct {
	Schedules  []Schedule
	Milestones []int // strictly increasing, len(Schedules)-1 of them
}

// LR returns the rate of the schedule whose span holds t, at t minus the
// span's start.
func (s Sequential) LR(t int) float64 {
	i := upperBound(s.Milestones, t)
	if i == 0 {
		return s.Schedules[0].LR(t)
	}
	return s.Schedules[i].LR(t - s.Milestones[i-1])
}

// Validate checks the milestones and every schedule.
func (s Sequential) Validate() error {
	if len(s.Schedules) == 0 || len(s.Milestones) != len(s.Schedules)-1 {
		return fmt.Errorf("optim: Sequential needs one milestone fewer than its %d schedules, has %d", len(s.Schedules), len(s.Milestones))
	}
	for i, m := range s.Milestones {
		if m < 1 || i > 0 && m <= s.Milestones[i-1] {
			return fmt.Errorf("optim: Sequential milestones %v are not positive and increasing", s.Milestones)
		}
	}
	for _, sc := range s.Schedules {
		if err := sc.Validate(); err != nil {
			return err
		}
	}
	return nil
}

// PerEpoch turns a schedule counted in epochs into one counted in
// iterations: the rate at iteration t is Epochs.LR(t / StepsPerEpoch), so
// it changes only at epoch boundaries, as with torchvision's per-epoch
// scheduler.step().
type PerEpoch struct {
	Epochs        Schedule
	StepsPerEpoch int
}

// LR returns the rate of the epoch iteration t falls in.
func (p PerEpoch) LR(t int) float64 { return p.Epochs.LR(t / p.StepsPerEpoch) }

// Validate checks StepsPerEpoch and the wrapped schedule.
func (p PerEpoch) Validate() error {
	if p.StepsPerEpoch < 1 {
		return fmt.Errorf("optim: PerEpoch with %d steps per epoch", p.StepsPerEpoch)
	}
	return p.Epochs.Validate()
}

// upperBound returns how many of the sorted xs are <= t (Python's
// bisect_right).
func upperBound(xs []int, t int) int {
	i, _ := slices.BinarySearch(xs, t+1)
	return i
}
