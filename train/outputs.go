package train

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/gocnn/gocnn/checkpoint"
)

// The output folder: checkpoints, metrics.jsonl and curves.png, written by
// the OnEpoch hooks logMetrics and saveCheckpoint (and the -save-every
// hook saveInEpoch), held by the run's lock while it runs.

const (
	metricsFile = "metrics.jsonl"
	curvesFile  = "curves.png"
)

// runWrites reports whether a run writes a file called name into its
// output folder.
func runWrites(name string) bool {
	return name == metricsFile || name == curvesFile || isEventFile(name) || checkpoint.SaverWrites(name)
}

// outputClaim is a run's hold on its output folder.
type outputClaim struct {
	lock    *checkpoint.Lock // nil when the run writes no folder
	dir     string
	created bool // the run made the folder
}

// claimOutput takes the output folder of a run that writes one: it locks
// it, so that a second run into it is refused with a line naming the
// first (a lock left by a killed run is taken over, with a note), removes
// the temporary files that killed saves left, and, unless the run resumes
// the checkpoint of that folder, refuses a folder that holds a file the
// run would overwrite.
func claimOutput(cfg *Config, out io.Writer) (*outputClaim, error) {
	if cfg.Output == "" || cfg.EvalOnly {
		return &outputClaim{}, nil
	}
	dir := cfg.Output
	_, statErr := os.Stat(dir)
	c := &outputClaim{dir: dir, created: errors.Is(statErr, os.ErrNotExist)}
	lock, stale, err := checkpoint.LockDir(dir)
	var locked *checkpoint.LockedError
	if errors.As(err, &locked) {
		return nil, fmt.Errorf("-output %s is in use by another run, %s (its lock: %s); wait for it to end or choose another -output",
			dir, locked.Holder, filepath.Join(dir, checkpoint.LockName))
	}
	if err != nil {
		return nil, fmt.Errorf("-output %s: %w", dir, err)
	}
	c.lock = lock
	if stale != nil {
		fmt.Fprintf(out, "took over %s from %s, which has ended\n", filepath.Join(dir, checkpoint.LockName), stale)
	}
	n, err := checkpoint.RemoveTemps(dir)
	if n > 0 {
		fmt.Fprintf(out, "removed %d temporary file(s) that an interrupted save left in %s\n", n, dir)
	}
	if err == nil && !resumesFrom(cfg, dir) {
		err = checkFresh(dir)
	}
	if err != nil {
		c.release()
		return nil, err
	}
	return c, nil
}

// release gives the folder up, and removes it when the run made it and
// left nothing in it.
func (c *outputClaim) release() error {
	err := c.lock.Release()
	if c.created {
		os.Remove(c.dir) // fails, as it should, unless the folder is empty
	}
	return err
}

// resumesFrom reports whether cfg resumes a checkpoint in dir.
func resumesFrom(cfg *Config, dir string) bool {
	if cfg.Resume == "" {
		return false
	}
	from := cfg.Resume
	if fi, err := os.Stat(from); err == nil && !fi.IsDir() {
		from = filepath.Dir(from)
	}
	a, errA := os.Stat(from)
	b, errB := os.Stat(dir)
	return errA == nil && errB == nil && os.SameFile(a, b)
}

// checkFresh refuses an output folder in which a fresh run would
// overwrite a file: another run's, or anything of the same name.
func checkFresh(dir string) error {
	if _, err := os.Stat(filepath.Join(dir, "latest")); err == nil {
		return fmt.Errorf("-output %s already holds a run; continue it with -resume %s or choose another -output", dir, dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("-output %s: %w", dir, err)
	}
	for _, e := range entries {
		if runWrites(e.Name()) {
			return fmt.Errorf("-output %s holds %s, which a fresh run would overwrite; move it away or choose another -output", dir, e.Name())
		}
	}
	return nil
}

// openOutput prepares the output folder's checkpoints; a resumed run
// drops the log lines of epochs after its checkpoint, which it is about to
// redo.
func (t *trainer) openOutput(resumed *checkpoint.Checkpoint) error {
	if resumed != nil {
		if err := truncateLog(filepath.Join(t.cfg.Output, metricsFile), resumed.Epoch); err != nil {
			return err
		}
	}
	metric := "val_top1"
	if t.data.segmentation {
		metric = "val_miou"
	}
	var err error
	t.ckpt, err = checkpoint.NewSaver(t.cfg.Output, t.cfg.Keep, metric, false)
	return err
}

// logMetrics appends the epoch's records to the metrics log, which it
// opens the first time (so that a run stopped before its first epoch ends
// leaves no log), and redraws the plot from the whole log.
func (t *trainer) logMetrics(e EpochInfo) error {
	if t.log == nil {
		var err error
		if t.log, err = OpenMetricsLog(filepath.Join(t.cfg.Output, metricsFile)); err != nil {
			return err
		}
	}
	if err := t.log.Append(e.Train, false); err != nil {
		return err
	}
	if err := t.log.Append(e.Val, e.EMA == nil); err != nil {
		return err
	}
	if e.EMA != nil {
		if err := t.log.Append(*e.EMA, true); err != nil {
			return err
		}
	}
	all, err := ReadMetricsLog(filepath.Join(t.cfg.Output, metricsFile))
	if err != nil {
		return err
	}
	return PlotCurves(filepath.Join(t.cfg.Output, curvesFile), all, 900, 900)
}

// saveCheckpoint saves the run as the epoch's checkpoint, with the
// validation metrics that choose the best one.
func (t *trainer) saveCheckpoint(e EpochInfo) error {
	val := e.Val
	return t.save(map[string]float64{
		"val_loss": val.Loss, "val_top1": val.Top1, "val_top5": val.Top5,
		"val_miou": val.MIoU, "val_pixel_acc": val.PixelAcc}, nil)
}

// saveInEpoch is the -save-every hook: it saves a checkpoint that resumes
// the epoch after step s, unless s ends the epoch, whose own checkpoint
// follows its evaluation.
func (t *trainer) saveInEpoch(s StepInfo) error {
	if s.Step == s.Steps {
		return nil
	}
	return t.save(nil, t.cur.progress())
}

// save saves the run as it is now, with the epoch's metrics at its end or
// the epoch's progress in its middle.
func (t *trainer) save(metrics map[string]float64, inEpoch *checkpoint.EpochProgress) error {
	ck := t.snapshot(metrics)
	ck.InEpoch = inEpoch
	path, err := t.ckpt.Save(ck)
	if err != nil {
		return err
	}
	t.lastGood, t.savedStep = path, t.step
	return nil
}
