package train

import (
	"fmt"
	"strings"
	"time"
)

// tensorboardLog writes a run's scalars to a TensorBoard event file in its
// output folder: every -print-freq steps the training loss, learning rate
// and images per second since the last write (tags train/loss, train/lr,
// train/img_per_s), and after each epoch the validation metrics (val/...,
// per-class IoU as val/iou/<class>) and those of -model-ema (ema_val/...).
// The file is created at the first write, so a run stopped before it
// leaves none.
type tensorboardLog struct {
	dir    string
	w      *EventWriter
	now    func() time.Time
	since  time.Time // start of the span img/s measures
	images int       // images trained on since then
}

// attach adds the log's hooks to h.
func (l *tensorboardLog) attach(h *Hooks, printFreq int) {
	h.OnEpochStart(func(EpochStart) error {
		l.since, l.images = l.now(), 0
		return nil
	})
	h.OnStep(func(s StepInfo) error {
		l.images += s.Images
		return nil
	})
	h.EveryNSteps(max(printFreq, 1), l.step)
	h.OnEpoch(l.epoch)
}

// step writes the training scalars of step s.
func (l *tensorboardLog) step(s StepInfo) error {
	now := l.now()
	speed := float64(l.images) / now.Sub(l.since).Seconds()
	l.since, l.images = now, 0
	return l.write(s.GlobalStep, now, []Scalar{{"train/loss", s.Loss}, {"train/lr", s.LR}, {"train/img_per_s", speed}})
}

// epoch writes the epoch's validation metrics and makes the file durable.
func (l *tensorboardLog) epoch(e EpochInfo) error {
	recs := []Record{e.Val}
	if e.EMA != nil {
		recs = append(recs, *e.EMA)
	}
	for _, r := range recs {
		if err := l.write(r.Step, r.Time, validationScalars(r)); err != nil {
			return err
		}
	}
	return l.w.Sync()
}

// write writes one event, opening the file first if needed.
func (l *tensorboardLog) write(step int64, wall time.Time, scalars []Scalar) error {
	if l.w == nil {
		var err error
		if l.w, err = OpenEventWriter(l.dir, l.now()); err != nil {
			return err
		}
	}
	return l.w.Scalars(step, wall, scalars)
}

// close closes the file if one was opened.
func (l *tensorboardLog) close() error {
	if l.w == nil {
		return nil
	}
	return l.w.Close()
}

// validationScalars returns r's metrics tagged by split ("val/top1",
// "ema_val/miou", "val/iou/3"); the writer leaves out those not measured.
func validationScalars(r Record) []Scalar {
	prefix := strings.ReplaceAll(r.Split, " ", "_") + "/"
	s := []Scalar{{prefix + "loss", r.Loss}, {prefix + "top1", r.Top1}, {prefix + "top5", r.Top5},
		{prefix + "miou", r.MIoU}, {prefix + "pixel_acc", r.PixelAcc}}
	for c, v := range r.IoU {
		s = append(s, Scalar{fmt.Sprintf("%siou/%d", prefix, c), v})
	}
	return s
}
