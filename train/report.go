package train

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// The lines a training run starts and ends with.

// startLine says what the run trains, where, on what, and where it writes:
// model, parameter count, devices, dataset and image counts, output
// folder, and the checkpoint a resumed run goes on from.
func (t *trainer) startLine() string {
	var devs []string
	for _, r := range t.reps {
		for _, d := range r.devs {
			devs = append(devs, d.Name())
		}
	}
	data := t.cfg.Dataset
	if t.cfg.TrainSet != nil {
		data = "the given datasets"
	} else if t.cfg.Data != "" {
		data += " " + t.cfg.Data
	}
	on := strings.Join(devs, ", ")
	if p := t.cfg.Dist.processes(); p > 1 {
		on += fmt.Sprintf(" (rank 0 of %d processes, %d devices in all)", p, t.cfg.ranks())
	}
	line := fmt.Sprintf("%s, %s, on %s; %s: %s training and %s validation images, %d classes; ",
		t.cfg.Model, t.paramsNote(), on, data,
		groupDigits(t.data.train.Len()), groupDigits(t.data.val.Len()), t.data.classes)
	if t.ckpt == nil {
		line += "nothing saved (no -output)"
	} else {
		line += "output " + t.cfg.Output
	}
	if t.cfg.Resume != "" {
		done := 0
		if t.resumeAt != nil {
			done = t.resumeAt.Steps
		}
		line += fmt.Sprintf("; resuming %s at epoch %d step %d of %d", t.lastGood, t.epoch+1, done, t.stepsPerEpoch)
	}
	return line
}

// endLine says how the run ended: its best validation metric and where its
// files are.
func (t *trainer) endLine() string {
	if t.ckpt == nil {
		return fmt.Sprintf("trained %d epochs; nothing saved (no -output)", t.epoch)
	}
	return fmt.Sprintf("%s; checkpoints, %s and %s are in %s", t.best(), metricsFile, curvesFile, t.cfg.Output)
}

// finishedLine is what resuming a run that has no epoch left prints.
func (t *trainer) finishedLine() string {
	line := fmt.Sprintf("%s holds a finished run: %d of %d epochs done", t.cfg.Resume, t.epoch, t.cfg.Epochs)
	if t.ckpt != nil {
		line += fmt.Sprintf("; %s; its results are in %s (best.safetensors, %s, %s)", t.best(), t.cfg.Output, metricsFile, curvesFile)
	}
	return line + "; to train it longer, resume with a larger -epochs and -resume-allow epochs"
}

// best describes the best epoch saved: "best val top-1 78.80% at epoch 3".
func (t *trainer) best() string {
	metric := "val top-1"
	if t.data.segmentation {
		metric = "val mIoU"
	}
	v, epoch := t.ckpt.Best()
	if math.IsNaN(v) {
		return "no epoch had a finite " + metric
	}
	return fmt.Sprintf("best %s %.2f%% at epoch %d", metric, v, epoch)
}

// groupDigits writes n >= 0 with thousands separated by commas: 272,474.
func groupDigits(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
