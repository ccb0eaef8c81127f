package train

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"time"

	"github.com/gocnn/gocnn/checkpoint"
	"github.com/gocnn/gocnn/data"
	"github.com/gocnn/gocnn/optim"
)

// trainer is a run in progress.
type trainer struct {
	cfg       *Config
	data      *dataSource
	reps      []*replica
	sched     optim.Schedule
	objective objective
	ema       *modelEMA // nil without -model-ema
	progress  *Progress
	out       io.Writer
	hooks     Hooks

	trainLoader, valLoader *data.Loader
	stepsPerEpoch          int
	trainIn, valIn         []feeder // per replica, from each loader
	meters                 []*meter // per replica

	epoch    int                       // epochs completed
	step     int64                     // optimizer steps taken
	cur      *epochState               // the epoch in progress
	resumeAt *checkpoint.EpochProgress // how far into the next epoch the resumed checkpoint was

	ckpt      *checkpoint.Saver // nil when nothing is saved
	log       *MetricsLog
	tb        *tensorboardLog // nil without an output folder
	lastGood  string          // the newest checkpoint, for the NaN and stop messages
	savedStep int64           // the step it was taken at
	start     time.Time
}

// Run trains cfg.Model as cfg says, evaluating and checkpointing after
// every epoch, and writes progress to out. With cfg.EvalOnly it evaluates
// once; with cfg.Bench it measures training speed on synthetic data, with
// cfg.BenchData the data loader's speed on the dataset. It
// holds the output folder while it runs (see claimOutput). When ctx is
// cancelled it stops at the next step boundary, saves a checkpoint that
// resumes there, and returns a *Stopped. Errors are one line that names
// the flag, file or step at fault.
func Run(ctx context.Context, cfg Config, out io.Writer) (err error) {
	cfg = cfg.DatasetDefaults()
	if err := cfg.Validate(); err != nil {
		return err
	}
	if cfg.Bench {
		return bench(ctx, &cfg, out)
	}
	if cfg.BenchData {
		return benchData(ctx, &cfg, out)
	}
	if cfg.Dist.Rank > 0 {
		return runFollower(ctx, &cfg, out)
	}
	return runTraining(ctx, &cfg, out)
}

// runTraining trains (or evaluates) as Run does, cfg validated.
func runTraining(ctx context.Context, cfg *Config, out io.Writer) (err error) {
	claim, err := claimOutput(cfg, out)
	if err != nil {
		return err
	}
	defer func() { err = cmp.Or(err, claim.release()) }()
	t, err := newTrainer(cfg, out)
	if err != nil {
		return err
	}
	defer func() { err = cmp.Or(memoryError(err, cfg, t.input()), t.close()) }()
	return t.run(ctx)
}

// runFollower runs a rank other than 0 of several processes: rank 0
// prints the run and writes the output folder, this one prints a line
// when it starts and one when it ends, and its error prefixed with its
// rank (a *Stopped says it itself).
func runFollower(ctx context.Context, cfg *Config, out io.Writer) error {
	d := cfg.Dist
	fmt.Fprintf(out, "rank %d of %d: training on -gpus %s; rank 0 prints the run and writes its output\n", d.Rank, d.processes(), joinInts(cfg.GPUs))
	cfg.Output = ""
	if err := runTraining(ctx, cfg, io.Discard); err != nil {
		if _, stopped := errors.AsType[*Stopped](err); stopped {
			return err
		}
		return fmt.Errorf("rank %d: %w", d.Rank, err)
	}
	fmt.Fprintf(out, "rank %d of %d: done\n", d.Rank, d.processes())
	return nil
}

// run evaluates, or trains the epochs left; a resumed run that has none
// left says so.
func (t *trainer) run(ctx context.Context) error {
	if t.cfg.EvalOnly {
		r := NewRecord(t.epoch, t.step, "val")
		if err := t.evaluate(ctx, &r); err != nil {
			return err
		}
		fmt.Fprintln(t.out, summary(r))
		return nil
	}
	if t.cfg.Resume != "" && t.epoch == t.cfg.Epochs && t.resumeAt == nil {
		fmt.Fprintln(t.out, t.finishedLine())
		return nil
	}
	fmt.Fprintln(t.out, t.startLine())
	for t.epoch < t.cfg.Epochs {
		if err := t.trainEpoch(ctx); err != nil {
			if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
				return t.stop(ctx)
			}
			return err
		}
	}
	return t.hooks.ended()
}

// newTrainer opens the data and builds the replicas, resuming or loading
// weights as cfg says; cfg's recipe fields are filled in (see
// Config.DatasetDefaults).
func newTrainer(cfg *Config, out io.Writer) (_ *trainer, err error) {
	ds, err := openData(cfg)
	if err != nil {
		return nil, err
	}
	if cfg.CacheDataset {
		line, err := ds.cache(cfg)
		if err != nil {
			return nil, err
		}
		fmt.Fprintln(out, line)
	}
	t := &trainer{cfg: cfg, data: ds, out: out, progress: NewProgress(out, cfg.PrintFreq), start: time.Now()}
	rank, world, chunk := cfg.trainShard()
	t.trainLoader, err = data.NewLoader(ds.train, data.LoaderConfig{BatchSize: cfg.Batch, Transforms: ds.trainTfm,
		Shuffle: true, Seed: cfg.Seed, DropLast: true, Rank: rank, WorldSize: world, Chunk: chunk,
		Workers: cfg.Workers, Uint8: cfg.pixelsOnDevice(), SkipBad: cfg.SkipBad})
	if err != nil {
		return nil, err
	}
	t.valLoader, err = data.NewLoader(ds.val, data.LoaderConfig{BatchSize: cfg.Batch, Transforms: ds.valTfm,
		Seed: cfg.Seed, Workers: cfg.Workers, Uint8: cfg.pixelsOnDevice(), SkipBad: cfg.SkipBad})
	if err != nil {
		return nil, err
	}
	if err := t.checkData(); err != nil {
		return nil, err
	}
	if t.reps, err = newReplicas(cfg, cfg.replicas(), ds.classes, ds.channels); err != nil {
		return nil, memoryError(err, cfg, t.input())
	}
	defer func() {
		if err != nil {
			t.close() // the error that stopped the start is the one to report
		}
	}()
	ranks := newScores(ds.classes, ds.segmentation).hitRanks()
	for _, r := range t.reps {
		t.trainIn = append(t.trainIn, newFeeder(r.dev, t.trainLoader, cfg.Batch))
		t.valIn = append(t.valIn, newFeeder(r.dev, t.valLoader, cfg.Batch))
		t.meters = append(t.meters, newMeter(r.dev, ranks))
	}
	// Replica i takes batch k*devices+i of the loader's order: the same
	// examples one device would see in a batch of devices*batch (and, with
	// several processes, see Config.trainShard).
	t.stepsPerEpoch = t.trainLoader.Batches() / (cfg.replicas() * cfg.accumSteps())
	if t.stepsPerEpoch == 0 && !cfg.EvalOnly {
		return nil, fmt.Errorf("%d training examples make no step of -batch %d on %d device(s) with -accum-steps %d", ds.train.Len(), cfg.Batch, cfg.ranks(), cfg.accumSteps())
	}
	if t.sched, err = schedule(cfg, max(t.stepsPerEpoch, 1)); err != nil {
		return nil, err
	}
	if t.objective, err = newObjective(cfg); err != nil {
		return nil, err
	}
	// Loading weights and optimizer state allocates on the devices: a
	// device too small for them panics with an out-of-memory error.
	var ck *checkpoint.Checkpoint
	if err := recovered("start", func() (err error) { ck, err = t.load(); return err }); err != nil {
		return nil, memoryError(err, cfg, t.input())
	}
	if t.ema, err = newModelEMA(cfg, t.reps[0], ck); err != nil {
		return nil, fmt.Errorf("-model-ema: %w", err)
	}
	if cfg.Output != "" && !cfg.EvalOnly {
		if err := t.openOutput(ck); err != nil {
			return t, err
		}
	}
	t.addHooks()
	return t, nil
}

// load reads -weights into the replicas, and the -resume checkpoint with
// its optimizer state, which it returns (nil without -resume).
func (t *trainer) load() (*checkpoint.Checkpoint, error) {
	cfg := t.cfg
	if cfg.Weights != "" {
		if err := loadWeightsFile(t.reps, cfg, t.data.classes, t.data.channels, t.out); err != nil {
			return nil, err
		}
	}
	if cfg.Resume == "" {
		return nil, nil
	}
	var err error
	if t.lastGood, err = checkpoint.Resolve(cfg.Resume); err != nil {
		return nil, err
	}
	ck, err := checkpoint.Load(t.lastGood)
	if err != nil {
		return nil, err
	}
	return ck, t.restore(ck, t.lastGood, cfg.EvalOnly)
}

// input returns the geometry of the run's training images.
func (t *trainer) input() input {
	_, h, w, _ := t.trainLoader.Shape()
	return input{classes: t.data.classes, channels: t.data.channels, h: h, w: w}
}

// close closes the metrics log, releases the run's feeders and meters,
// then its replicas' devices, and returns the first error.
func (t *trainer) close() error {
	var errs []error
	if t.log != nil {
		errs = append(errs, t.log.Close())
	}
	if t.tb != nil {
		errs = append(errs, t.tb.close())
	}
	for _, f := range slices.Concat(t.trainIn, t.valIn) {
		errs = append(errs, f.close())
	}
	for _, m := range t.meters {
		m.close()
	}
	errs = append(errs, closeReplicas(t.reps))
	return cmp.Or(errs...)
}

// addHooks sets the run's hooks: the NaN guards, the progress display, the
// epoch's summary line, the metrics log, the TensorBoard event file and the
// checkpoints (every epoch, and every -save-every steps) when there is an
// output folder, the line that ends the run, and then cfg.Hooks.
func (t *trainer) addHooks() {
	h := &t.hooks
	h.OnStep(nanGuard(&t.lastGood))
	t.progress.attach(h)
	h.OnEpoch(func(e EpochInfo) error {
		fmt.Fprintln(t.out, summary(e.Val))
		if e.EMA != nil {
			fmt.Fprintln(t.out, summary(*e.EMA))
		}
		return nil
	})
	h.OnEpoch(valGuard(&t.lastGood))
	if t.ckpt != nil {
		t.tb = &tensorboardLog{dir: t.cfg.Output, now: time.Now}
		t.tb.attach(h, t.cfg.PrintFreq)
		h.OnEpoch(t.logMetrics)
		h.OnEpoch(t.saveCheckpoint)
		if t.cfg.SaveEvery > 0 {
			h.EveryNSteps(t.cfg.SaveEvery, t.saveInEpoch)
		}
	}
	h.OnEnd(func() error {
		fmt.Fprintln(t.out, t.endLine())
		return nil
	})
	h.add(&t.cfg.Hooks)
}

// queueStep queues one optimizer step at learning rate lr, each replica
// training on the batch its feeder holds: forward, loss, the step's
// results gathered on the device (see meter), backward, then the update.
// Nothing in it waits for a device. With -accum-steps, see queuePass.
func (t *trainer) queueStep(lr float64) error { return t.queuePass(lr, 1, 1) }

// readStep waits for each replica's step, the one host-blocking call of a
// training step, and returns their losses; their top-k counts go to per.
func (t *trainer) readStep(per []*scores) ([]float64, error) {
	losses := make([]float64, len(t.reps))
	err := onEach(t.reps, func(i int, r *replica) error {
		var hits []float32
		losses[i], hits = t.meters[i].read()
		per[i].add(losses[i], t.cfg.Batch, hits)
		return nil
	})
	return losses, err
}

// update averages the replicas' gradients and takes every replica's
// optimizer step.
func update(reps []*replica) error { return finishStep(reps, 1, 0) }

// finishStep ends an optimizer step of passes backward passes: it averages
// the replicas' gradients, divides their sum over the passes by passes
// (-accum-steps), clips them to the global norm maxNorm (-clip-grad-norm;
// 0: not clipped) and takes every replica's optimizer step. The division
// comes after the average, which completes the device all-reduce that
// writes the gradients.
func finishStep(reps []*replica, passes int, maxNorm float64) error {
	if err := averageGradients(reps); err != nil {
		return err
	}
	if passes > 1 {
		if err := onEach(reps, func(_ int, r *replica) error { scaleGradients(r, 1/float32(passes)); return nil }); err != nil {
			return err
		}
	}
	if err := clipGradients(reps, maxNorm); err != nil {
		return err
	}
	return onEach(reps, func(_ int, r *replica) error { r.opt.Step(); return nil })
}

// summary is the one line printed after each evaluation.
func summary(r Record) string {
	if !math.IsNaN(r.Top1) {
		line := fmt.Sprintf("epoch %d %s: loss %.4f top-1 %.2f%%", r.Epoch, r.Split, r.Loss, r.Top1)
		if !math.IsNaN(r.Top5) { // fewer than 6 classes
			line += fmt.Sprintf(" top-5 %.2f%%", r.Top5)
		}
		return line
	}
	return fmt.Sprintf("epoch %d %s: loss %.4f mIoU %.2f%% pixel accuracy %.2f%%", r.Epoch, r.Split, r.Loss, r.MIoU, r.PixelAcc)
}
