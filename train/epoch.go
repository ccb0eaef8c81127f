package train

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/gocnn/gocnn/checkpoint"
	"github.com/gocnn/gocnn/data"
	"github.com/gocnn/gocnn/nn"
)

// epochState is the epoch in progress: its steps taken and its training
// metrics so far, which a checkpoint taken during it records
// (checkpoint.EpochProgress) and a resumed run starts from.
type epochState struct {
	steps   int
	images  int
	lossSum float64   // sum over images of their batch's mean loss
	per     []*scores // per replica: top-k counts
	seconds float64   // training time before began
	began   time.Time // zero once the steps are done
}

// beginEpoch returns the state of the next epoch: empty, or where the
// resumed checkpoint left it.
func (t *trainer) beginEpoch() (*epochState, error) {
	e := &epochState{}
	for range t.reps {
		e.per = append(e.per, newScores(t.data.classes, t.data.segmentation))
	}
	p := t.resumeAt
	if p == nil {
		return e, nil
	}
	t.resumeAt = nil
	e.steps, e.images, e.lossSum, e.seconds = p.Steps, p.Images, p.LossSum, p.Seconds
	if tk := e.per[0].topk; tk != nil {
		if len(p.TopKCorrect) != len(tk.Ks) {
			return nil, fmt.Errorf("-resume: the checkpoint counts %d top-k accuracies during its epoch, this run %d", len(p.TopKCorrect), len(tk.Ks))
		}
		copy(tk.Correct, p.TopKCorrect)
		tk.Total = p.TopKTotal
	}
	return e, nil
}

// elapsed returns the seconds spent training in the epoch.
func (e *epochState) elapsed() float64 {
	if e.began.IsZero() {
		return e.seconds
	}
	return e.seconds + time.Since(e.began).Seconds()
}

// progress returns e as a checkpoint records it.
func (e *epochState) progress() *checkpoint.EpochProgress {
	p := &checkpoint.EpochProgress{Steps: e.steps, Images: e.images, LossSum: e.lossSum, Seconds: e.elapsed()}
	if tk := e.per[0].topk; tk != nil {
		p.TopKCorrect = make([]int64, len(tk.Ks))
		for _, s := range e.per {
			for i, c := range s.topk.Correct {
				p.TopKCorrect[i] += c
			}
			p.TopKTotal += s.topk.Total
		}
	}
	return p
}

// trainEpoch trains one epoch, or what a resumed checkpoint left of it, and
// evaluates it; the hooks log and save it. It returns ctx's error when ctx
// is cancelled, between two steps or during the evaluation, with t.cur
// saying how far the epoch got.
func (t *trainer) trainEpoch(ctx context.Context) error {
	for _, r := range t.reps {
		nn.SetTraining(r.model, true)
	}
	e, err := t.beginEpoch()
	if err != nil {
		return err
	}
	t.cur = e
	ep := t.trainLoader.Epoch(t.epoch)
	defer ep.Close()
	passes := t.cfg.accumSteps()
	if err := skipBatches(ep, e.steps*len(t.reps)*passes); err != nil {
		return err
	}
	e.began = time.Now()
	epoch := EpochStart{Epoch: t.epoch + 1, Steps: t.stepsPerEpoch, Done: e.steps}
	// The next step's batches are fed before this step's results are read
	// back, so that their copy to the device overlaps this step's work.
	var next int
	var ferr error
	if e.steps < epoch.Steps {
		_, next, ferr = t.feed(ep, t.trainIn)
	}
	err = t.hooks.runEpoch(ctx, epoch, func(s int) (StepInfo, error) {
		lr := t.sched.LR(int(t.step))
		var stepImages int
		var losses []float64
		for pass := 1; pass <= passes; pass++ {
			if ferr != nil {
				return StepInfo{}, ferr
			}
			stepImages += next
			if err := t.queuePass(lr, pass, passes); err != nil {
				return StepInfo{}, err
			}
			if s < epoch.Steps || pass < passes {
				_, next, ferr = t.feed(ep, t.trainIn)
			}
			l, err := t.readStep(e.per)
			if err != nil {
				return StepInfo{}, err
			}
			losses = append(losses, l...)
		}
		loss := mean(losses)
		if t.ema != nil {
			t.ema.afterStep(t.epoch, s)
		}
		t.step++
		e.steps = s
		e.images += stepImages
		e.lossSum += loss * float64(len(losses)*t.cfg.Batch)
		return StepInfo{Epoch: epoch.Epoch, Step: s, Steps: epoch.Steps, GlobalStep: t.step, Images: stepImages, Loss: loss, LR: lr}, nil
	})
	if err != nil {
		return err
	}
	e.seconds, e.began = e.elapsed(), time.Time{}
	train := NewRecord(epoch.Epoch, t.step, "train")
	if e.per[0].topk != nil {
		all := newScores(t.data.classes, t.data.segmentation)
		for _, s := range e.per {
			all.merge(s)
		}
		all.record(&train)
	}
	train.Loss = e.lossSum / float64(e.images)
	train.LR = t.reps[0].opt.LR()
	train.ImgPerSec = float64(e.images) / e.seconds
	val := NewRecord(epoch.Epoch, t.step, "val")
	val.LR = train.LR
	if err := t.evaluate(ctx, &val); err != nil {
		return err
	}
	var ema *Record
	if t.ema != nil {
		r := NewRecord(epoch.Epoch, t.step, "ema val")
		r.LR = train.LR
		if err := t.evaluateEMA(ctx, &r); err != nil {
			return err
		}
		ema = &r
	}
	t.epoch++
	t.cur = nil
	for _, r := range []*Record{&train, &val, ema} {
		if r != nil {
			r.Time = time.Now().UTC()
			r.Elapsed = time.Since(t.start).Seconds()
		}
	}
	return call(t.hooks.epoch, EpochInfo{Train: train, Val: val, EMA: ema})
}

// skipBatches takes the first n batches of ep, those a resumed epoch had
// trained on before its checkpoint, and drops them. The loader decodes
// them all the same, so that the batches after them are exactly the
// uninterrupted run's.
func skipBatches(ep *data.Epoch, n int) error {
	for i := range n {
		b, err := ep.Next()
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("-resume: the checkpoint is %d batches into its epoch, which has only %d", n, i)
		}
		if err != nil {
			return err
		}
		b.Release()
	}
	return nil
}
