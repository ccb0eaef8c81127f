package train

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
)

// Stopped is the error Run returns when its context is cancelled (Ctrl-C,
// SIGTERM in cmd/train): the run stopped at a step boundary, or during an
// evaluation, and saved a checkpoint that resumes it exactly there.
type Stopped struct {
	// Epoch (from 1) is the epoch it stopped in, after Step of its Steps.
	Epoch, Step, Steps int
	// Checkpoint is the newest checkpoint, which holds the run as it
	// stopped; "" when there is none (nothing saved, or no output folder).
	Checkpoint string
	// Resume is what -resume takes to go on: the output folder.
	Resume string
	// Cause is why the context was cancelled (context.Cause).
	Cause error
	// Rank is the process's rank in a run of several (DistConfig): only
	// rank 0 saves.
	Rank int
}

func (s *Stopped) Error() string {
	msg := fmt.Sprintf("stopped at epoch %d step %d of %d", s.Epoch, s.Step, s.Steps)
	if s.Cause != nil && !errors.Is(s.Cause, context.Canceled) {
		msg += " (" + s.Cause.Error() + ")"
	}
	if s.Rank > 0 {
		return fmt.Sprintf("rank %d: %s; rank 0 saves the run", s.Rank, msg)
	}
	if s.Checkpoint == "" {
		return msg + "; nothing saved to resume from"
	}
	return msg + "; checkpoint " + s.Checkpoint
}

// Unwrap returns the cause.
func (s *Stopped) Unwrap() error { return s.Cause }

// stop ends a run whose context was cancelled during trainEpoch: it saves
// the run where it stopped, in the middle of an epoch, unless the newest
// checkpoint already holds that point or there is no output folder, and
// returns a *Stopped.
func (t *trainer) stop(ctx context.Context) error {
	st := &Stopped{Epoch: t.epoch + 1, Step: t.cur.steps, Steps: t.stepsPerEpoch, Cause: context.Cause(ctx), Rank: t.cfg.Dist.Rank}
	if t.ckpt == nil {
		return st
	}
	if t.step != t.savedStep {
		if err := t.save(nil, t.cur.progress()); err != nil {
			return fmt.Errorf("%w; saving where it stopped failed: %w", st, err)
		}
	}
	st.Checkpoint, st.Resume = t.lastGood, t.cfg.Output
	if st.Checkpoint != "" && filepath.Dir(st.Checkpoint) != filepath.Clean(t.cfg.Output) {
		st.Resume = st.Checkpoint // resumed from another folder, and stopped before saving here
	}
	return st
}
