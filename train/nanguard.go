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
