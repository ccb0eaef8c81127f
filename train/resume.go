package train

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/checkpoint"
	"github.com/gocnn/gocnn/optim"
)

// What a checkpoint holds besides the weights, and why a resumed run
// repeats the uninterrupted one bit for bit on the CPU:
//   - optimizer buffers and step counts: the optimizer's State;
//   - the learning rate: a pure function of State.Step (ScheduleStep);
//   - the data: the loader's order and augmentations are functions of the
//     seed, the epoch and the example index, so State.Epoch is enough, and
//     a checkpoint taken during an epoch adds the steps taken in it
//     (State.InEpoch), which the resumed run skips;
//   - dropout: each device's (seed, calls) pair, in State.RNG;
//   - batch-norm running statistics: buffers saved with the weights. Their
//     num_batches_tracked counters are left out (as readme says PyTorch
//     fills them in) and no computation reads them.

// loadState checks tensors (read from file) against the model and copies
// them into every replica; nothing changes when they do not match.
func loadState(reps []*replica, file string, tensors []checkpoint.Tensor) error {
	for _, r := range reps {
		if err := checkpoint.SetWeights(r.model, file, tensors); err != nil {
			return err
		}
	}
	return nil
}

// snapshot returns the run's state as a checkpoint: replica 0's weights
// and optimizer (replicas are identical but for batch-norm statistics, see
// broadcastBuffers) and every device's dropout sequence. The replicas take
// replica 0's statistics, as they would resuming from it; across
// processes, where only rank 0 saves and the others cannot take part in
// the broadcast, they keep their own until the next evaluation's
// broadcast, which is the first to read them (training normalises with
// the batch's statistics).
func (t *trainer) snapshot(metrics map[string]float64) *checkpoint.Checkpoint {
	if t.cfg.Dist.processes() == 1 {
		broadcastBuffers(t.reps)
	}
	st := t.reps[0].opt.State()
	var opt []checkpoint.Tensor
	for name, tn := range st.Tensors {
		opt = append(opt, checkpoint.Tensor{Name: name, Shape: slices.Clone([]int(tn.Shape())), Data: tn.Float32s()})
	}
	var rng []uint64
	for _, r := range t.reps {
		seed, calls := r.dev.DropoutState()
		rng = append(rng, seed, calls)
	}
	ck := &checkpoint.Checkpoint{
		State: checkpoint.State{Epoch: t.epoch, Step: t.step, ScheduleStep: t.step, OptimizerScalars: st.Numbers, RNG: rng,
			Flags: t.cfg.flags(t.data), Metrics: metrics},
		Weights:   checkpoint.Weights(t.reps[0].model),
		Optimizer: opt,
		Resumable: true,
	}
	if t.ema != nil {
		t.ema.save(ck)
	}
	return ck
}

// restore puts the run where ck, read from path, left it, after checking
// that the run's settings are the checkpoint's (see checkResume). With
// weightsOnly (evaluation) it takes only the model.
func (t *trainer) restore(ck *checkpoint.Checkpoint, path string, weightsOnly bool) error {
	if m := ck.Flags["model"]; m != "" && m != t.cfg.Model {
		return fmt.Errorf("-resume: the checkpoint holds a %s, not a %s (-model)", m, t.cfg.Model)
	}
	if !weightsOnly {
		if !ck.Resumable {
			return fmt.Errorf("-resume %s: the checkpoint holds weights only, no optimizer state; resume from a checkpoint-epochNNN.json of the run, or start a new run from these weights with -weights %s",
				path, strings.TrimSuffix(path, ".json")+".safetensors")
		}
		if err := t.cfg.checkResume(ck.Flags, t.data, path); err != nil {
			return err
		}
	}
	if err := loadState(t.reps, "checkpoint weights", ck.Weights); err != nil {
		return err
	}
	if weightsOnly {
		t.epoch, t.step = ck.Epoch, ck.Step
		return nil
	}
	if len(ck.RNG) != 2*len(t.reps) {
		return fmt.Errorf("-resume: the checkpoint was written by a run on %d device(s); resume it with -devices %d", len(ck.RNG)/2, len(ck.RNG)/2)
	}
	if ck.Epoch > t.cfg.Epochs || ck.Epoch == t.cfg.Epochs && ck.InEpoch != nil {
		return fmt.Errorf("-resume: the checkpoint is past epoch %d, the last of -epochs %d", t.cfg.Epochs, t.cfg.Epochs)
	}
	if ck.InEpoch != nil && (ck.InEpoch.Steps < 0 || ck.InEpoch.Steps > t.stepsPerEpoch) {
		return fmt.Errorf("-resume %s: the checkpoint is %d steps into an epoch of %d", path, ck.InEpoch.Steps, t.stepsPerEpoch)
	}
	if err := loadOptimizers(t.reps, ck.OptimizerScalars, ck.Optimizer); err != nil {
		return fmt.Errorf("-resume: %w (was the run started with another -opt?)", err)
	}
	for i, r := range t.reps {
		r.dev.SetDropoutState(ck.RNG[2*i], ck.RNG[2*i+1])
	}
	t.epoch, t.step, t.resumeAt = ck.Epoch, ck.Step, ck.InEpoch
	t.savedStep = ck.Step
	return nil
}

// loadOptimizers gives every replica's optimizer the state of a
// checkpoint's optimizer scalars and tensors, less the model average's
// (see newModelEMA), each tensor copied onto the replica's device.
func loadOptimizers(reps []*replica, scalars map[string]float64, tensors []checkpoint.Tensor) error {
	for _, r := range reps {
		st := optim.State{Kind: r.opt.State().Kind, Numbers: maps.Clone(scalars), Tensors: map[string]*autograd.Tensor{}}
		maps.DeleteFunc(st.Numbers, func(name string, _ float64) bool { return isEMAState(name) })
		for _, h := range tensors {
			if !isEMAState(h.Name) {
				st.Tensors[h.Name] = autograd.FromFloat32s(r.dev, h.Data, h.Shape...)
			}
		}
		if err := r.opt.LoadState(st); err != nil {
			return err
		}
	}
	return nil
}

// truncateLog keeps the metrics log lines of the first epochs epochs.
func truncateLog(path string, epochs int) error {
	recs, err := ReadMetricsLog(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	recs = slices.DeleteFunc(recs, func(r Record) bool { return r.Epoch > epochs })
	return checkpoint.WriteFileAtomic(path, func(w io.Writer) error {
		for _, r := range recs {
			b, err := r.MarshalJSON()
			if err != nil {
				return err
			}
			if _, err := w.Write(append(b, '\n')); err != nil {
				return err
			}
		}
		return nil
	})
}
