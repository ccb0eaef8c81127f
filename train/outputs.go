package train

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/gocnn/gocnn/checkpoint"
)

// The output folder: checkpoints, metrics.jsonl and curves.png, written by
// the OnEpoch hooks logMetrics and saveCheckpoint.

// openOutput prepares the output folder: a fresh run refuses a folder
// that holds another run; a resumed one drops the log lines of epochs
// after its checkpoint, which the resumed run is about to redo.
func (t *trainer) openOutput(resumed *checkpoint.Checkpoint) error {
	dir := t.cfg.Output
	logPath := filepath.Join(dir, "metrics.jsonl")
	if resumed == nil {
		if _, err := os.Stat(filepath.Join(dir, "latest")); err == nil {
			return fmt.Errorf("-output %s already holds a run; continue it with -resume %s or choose another -output", dir, dir)
		}
		if err := os.RemoveAll(logPath); err != nil {
			return err
		}
	} else if err := truncateLog(logPath, resumed.Epoch); err != nil {
		return err
	}
	metric := "val_top1"
	if t.data.segmentation {
		metric = "val_miou"
	}
	var err error
	if t.ckpt, err = checkpoint.NewSaver(dir, t.cfg.Keep, metric, false); err != nil {
		return err
	}
	t.log, err = OpenMetricsLog(logPath)
	return err
}

// logMetrics appends the epoch's records to the metrics log and redraws
// the plot from the whole log.
func (t *trainer) logMetrics(e EpochInfo) error {
	if err := t.log.Append(e.Train, false); err != nil {
		return err
	}
	if err := t.log.Append(e.Val, true); err != nil {
		return err
	}
	all, err := ReadMetricsLog(filepath.Join(t.cfg.Output, "metrics.jsonl"))
	if err != nil {
		return err
	}
	return PlotCurves(filepath.Join(t.cfg.Output, "curves.png"), all, 900, 900)
}

// saveCheckpoint saves the run as the epoch's checkpoint, with the
// validation metrics that choose the best one.
func (t *trainer) saveCheckpoint(e EpochInfo) error {
	val := e.Val
	path, err := t.ckpt.Save(t.snapshot(map[string]float64{
		"val_loss": val.Loss, "val_top1": val.Top1, "val_top5": val.Top5,
		"val_miou": val.MIoU, "val_pixel_acc": val.PixelAcc}))
	if err != nil {
		return err
	}
	t.lastGood = path
	return nil
}
