package train

import (
	"context"
	"fmt"
)

// Hooks are functions the training loop calls as it goes, after the model
// of GoMLX's train.Loop (OnStep, EveryNSteps, OnEnd). Run's own progress
// display, NaN guard, metrics log and checkpoints are hooks, as is the
// -bench timer; Config.Hooks run after them. Hooks of a kind run in the
// order they were added, on the goroutine that called Run, and the first
// to return an error stops the run with it, before anything more is saved.
// -bench runs its steps as one epoch that is not evaluated: OnEpochStart,
// OnStep and OnEnd hooks see it, OnEpoch hooks do not; -eval-only calls
// none. The zero value holds no hooks.
type Hooks struct {
	epochStart []func(EpochStart) error
	step       []func(StepInfo) error
	epoch      []func(EpochInfo) error
	end        []func(struct{}) error
}

// EpochStart describes an epoch about to be trained.
type EpochStart struct {
	Epoch int // from 1
	Steps int // the optimizer steps it takes in all
	// Done is how many of them a resumed checkpoint had taken: the epoch
	// goes on at step Done+1. 0 for an epoch trained from its start.
	Done int
}

// StepInfo describes an optimizer step just taken.
type StepInfo struct {
	Epoch int // the epoch it belongs to, from 1
	Step  int // its number within the epoch, from 1
	Steps int // the epoch's steps
	// GlobalStep counts the run's steps, this one included; a resumed run
	// goes on from its checkpoint's count.
	GlobalStep int64
	Images     int     // images trained on, over all devices
	Loss       float64 // mean training loss over the devices; NaN for -bench, which does not read it
	LR         float64 // the learning rate of the step
}

// EpochInfo describes an epoch just trained and evaluated.
type EpochInfo struct {
	// Train holds the training loss, top-k accuracy (classification),
	// learning rate and speed; Val the validation loss and accuracy or
	// mIoU. Both carry the time they were taken.
	Train, Val Record
	// EMA is the validation of the -model-ema weights (split "ema val"),
	// nil without -model-ema.
	EMA *Record
}

// OnEpochStart adds f to run before each epoch's first step.
func (h *Hooks) OnEpochStart(f func(EpochStart) error) { h.epochStart = append(h.epochStart, f) }

// OnStep adds f to run after every optimizer step.
func (h *Hooks) OnStep(f func(StepInfo) error) { h.step = append(h.step, f) }

// EveryNSteps adds f to run after every n-th optimizer step of the run
// (StepInfo.GlobalStep a multiple of n). It panics when n < 1.
func (h *Hooks) EveryNSteps(n int, f func(StepInfo) error) {
	if n < 1 {
		panic(fmt.Sprintf("train: EveryNSteps(%d)", n))
	}
	h.OnStep(func(s StepInfo) error {
		if s.GlobalStep%int64(n) != 0 {
			return nil
		}
		return f(s)
	})
}

// OnEpoch adds f to run after each epoch has been trained and evaluated.
func (h *Hooks) OnEpoch(f func(EpochInfo) error) { h.epoch = append(h.epoch, f) }

// OnEnd adds f to run once training has finished without error: after the
// last epoch's OnEpoch hooks, or after the last -bench step.
func (h *Hooks) OnEnd(f func() error) {
	h.end = append(h.end, func(struct{}) error { return f() })
}

// add appends o's hooks after h's.
func (h *Hooks) add(o *Hooks) {
	h.epochStart = append(h.epochStart, o.epochStart...)
	h.step = append(h.step, o.step...)
	h.epoch = append(h.epoch, o.epoch...)
	h.end = append(h.end, o.end...)
}

// call runs each of fs on v and returns the first error.
func call[T any](fs []func(T) error, v T) error {
	for _, f := range fs {
		if err := f(v); err != nil {
			return err
		}
	}
	return nil
}

// runEpoch runs the steps of one epoch: the OnEpochStart hooks, then for
// each step after e.Done take, which does the step's work and describes
// it, and the OnStep hooks. It stops at the first error and, with ctx's
// error, when ctx is cancelled, checked before each step.
func (h *Hooks) runEpoch(ctx context.Context, e EpochStart, take func(step int) (StepInfo, error)) error {
	if err := call(h.epochStart, e); err != nil {
		return err
	}
	for s := e.Done + 1; s <= e.Steps; s++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		info, err := take(s)
		if err != nil {
			return err
		}
		if err := call(h.step, info); err != nil {
			return err
		}
	}
	return nil
}

// ended runs the OnEnd hooks.
func (h *Hooks) ended() error { return call(h.end, struct{}{}) }
