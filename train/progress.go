package train

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"
)

// Progress reports an epoch's progress: on a terminal one line redrawn in
// place with a bar, ETA, images/s, loss and learning rate; elsewhere (a log
// file, a pipe) a plain line every PrintFreq steps.
type Progress struct {
	W         io.Writer
	TTY       bool
	PrintFreq int
	// Now is the clock, replaceable in tests.
	Now func() time.Time

	epoch, total int
	done         int // steps taken before Begin, by the run that was resumed
	split        string
	start, drawn time.Time
	images       int64
	lossSum      float64
	steps        int
}

// redrawEvery limits terminal redraws; a fast GPU takes dozens of steps a
// second.
const redrawEvery = 100 * time.Millisecond

// NewProgress returns a Progress writing to w, in terminal mode when w is
// a terminal.
func NewProgress(w io.Writer, printFreq int) *Progress {
	return &Progress{W: w, TTY: IsTerminal(w), PrintFreq: max(printFreq, 1), Now: time.Now}
}

// IsTerminal reports whether w is a file open on a terminal.
func IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// Begin starts an epoch of total steps over split ("train", "val").
func (p *Progress) Begin(epoch, total int, split string) { p.resume(epoch, total, 0, split) }

// resume starts the display of an epoch that a resumed run takes up after
// done of its total steps.
func (p *Progress) resume(epoch, total, done int, split string) {
	p.epoch, p.total, p.done, p.split = epoch, total, done, split
	p.start = p.Now()
	p.drawn = time.Time{}
	p.images, p.lossSum, p.steps = 0, 0, 0
}

// Step records that step (1-based) finished, having processed images
// images with the given loss at learning rate lr.
func (p *Progress) Step(step, images int, loss, lr float64) {
	now := p.Now()
	p.images += int64(images)
	p.lossSum += loss
	p.steps++
	elapsed := now.Sub(p.start)
	rate := float64(p.images) / elapsed.Seconds()
	eta := time.Duration(float64(elapsed) / float64(step-p.done) * float64(p.total-step)).Round(time.Second)
	stats := fmt.Sprintf("%d/%d ETA %v %.1f img/s loss %.4f (%.4f) lr %.4g",
		step, p.total, eta, rate, loss, p.lossSum/float64(p.steps), lr)
	switch {
	case p.TTY && (now.Sub(p.drawn) >= redrawEvery || step == p.total):
		p.drawn = now
		// \x1b[K clears what a longer previous line left behind.
		fmt.Fprintf(p.W, "\repoch %d %s %s %s\x1b[K", p.epoch, p.split, bar(step, p.total, 20), stats)
	case !p.TTY && (step%p.PrintFreq == 0 || step == p.total):
		fmt.Fprintf(p.W, "epoch %d %s %s\n", p.epoch, p.split, stats)
	}
}

// End finishes the epoch with a summary line.
func (p *Progress) End() {
	elapsed := p.Now().Sub(p.start)
	if p.TTY {
		fmt.Fprint(p.W, "\n")
	}
	fmt.Fprintf(p.W, "epoch %d %s done in %v: %.1f img/s, mean loss %.4f\n", p.epoch, p.split,
		elapsed.Round(time.Second), float64(p.images)/elapsed.Seconds(), p.lossSum/float64(p.steps))
}

// bar draws [=====>    ] of the given width for step of total.
func bar(step, total, width int) string {
	done := min(width, width*step/max(total, 1))
	head := ""
	if done < width {
		head = ">"
	}
	return "[" + strings.Repeat("=", done) + head + strings.Repeat(" ", width-done-len(head)) + "]"
}

// attach adds to h the display of the training steps: Begin before an
// epoch, Step after each step, End after its last. The validation pass
// that follows draws its own (see trainer.evaluate).
func (p *Progress) attach(h *Hooks) {
	h.OnEpochStart(func(e EpochStart) error {
		p.resume(e.Epoch, e.Steps, e.Done, "train")
		return nil
	})
	h.OnStep(func(s StepInfo) error {
		p.Step(s.Step, s.Images, s.Loss, s.LR)
		if s.Step == s.Steps {
			p.End()
		}
		return nil
	})
}
