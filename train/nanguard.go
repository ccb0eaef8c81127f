package train

import (
	"fmt"
	"math"
)

// CheckLoss returns nil for a finite loss, and otherwise the error that
// stops training, naming the epoch, the step and the last good checkpoint
// ("none" when nothing was saved yet) to resume from.
func CheckLoss(loss float64, epoch int, step int64, lastCheckpoint string) error {
	if !math.IsNaN(loss) && !math.IsInf(loss, 0) {
		return nil
	}
	if lastCheckpoint == "" {
		lastCheckpoint = "none"
	}
	what := "NaN"
	if math.IsInf(loss, 0) {
		what = "infinite"
	}
	return fmt.Errorf("train: loss is %s at epoch %d step %d; last good checkpoint: %s", what, epoch, step, lastCheckpoint)
}

// nanGuard returns the OnStep hook that stops a run at a non-finite loss
// (see CheckLoss); *lastGood is the newest checkpoint's path. It runs
// first, before the step is displayed or anything is saved after it.
func nanGuard(lastGood *string) func(StepInfo) error {
	return func(s StepInfo) error { return CheckLoss(s.Loss, s.Epoch, s.GlobalStep, *lastGood) }
}
