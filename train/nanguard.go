package train

import (
	"fmt"
	"math"
)

// CheckLoss returns nil for a finite loss, and otherwise the error that
// stops training, naming the epoch, the step and the last good checkpoint
// ("none" when nothing was saved yet) to resume from.
func CheckLoss(loss float64, epoch int, step int64, lastCheckpoint string) error {
	if isFinite(loss) {
		return nil
	}
	return fmt.Errorf("train: loss is %s at epoch %d step %d; last good checkpoint: %s", nonFinite(loss), epoch, step, orNone(lastCheckpoint))
}

// nanGuard returns the OnStep hook that stops a run at a non-finite loss
// (see CheckLoss); *lastGood is the newest checkpoint's path. It runs
// first, before the step is displayed or anything is saved after it.
func nanGuard(lastGood *string) func(StepInfo) error {
	return func(s StepInfo) error { return CheckLoss(s.Loss, s.Epoch, s.GlobalStep, *lastGood) }
}

// valGuard returns the OnEpoch hook that stops a run whose validation loss
// is not finite (a step that diverged at the end of the epoch), before the
// epoch is logged or saved: such weights never become a checkpoint, let
// alone the best one.
func valGuard(lastGood *string) func(EpochInfo) error {
	return func(e EpochInfo) error {
		if isFinite(e.Val.Loss) {
			return nil
		}
		return fmt.Errorf("train: validation loss is %s after epoch %d, which is not saved; last good checkpoint: %s",
			nonFinite(e.Val.Loss), e.Val.Epoch, orNone(*lastGood))
	}
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// nonFinite names a value that is not finite.
func nonFinite(v float64) string {
	if math.IsInf(v, 0) {
		return "infinite"
	}
	return "NaN"
}

func orNone(path string) string {
	if path == "" {
		return "none"
	}
	return path
}
