package train

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/gocnn/gocnn/data"
	"github.com/gocnn/gocnn/nn"
	"github.com/gocnn/gocnn/optim"
)

// trainer is a run in progress.
type trainer struct {
	cfg      *Config
	data     *dataSource
	reps     []*replica
	sched    optim.Schedule
	progress *Progress
	out      io.Writer

	trainLoader, valLoader *data.Loader
	stepsPerEpoch          int

	epoch int   // epochs completed
	step  int64 // optimizer steps taken

	ckpt     *Checkpointer // nil when nothing is saved
	log      *MetricsLog
	lastGood string // the newest checkpoint, for the NaN message
	start    time.Time
}

// Run trains cfg.Model as cfg says, evaluating and checkpointing after
// every epoch, and writes progress to out. With cfg.EvalOnly it evaluates
// once; with cfg.Bench it measures training speed on synthetic data. It
// stops early, with ctx's error, when ctx is cancelled. Errors are one line
// that names the flag, file or step at fault.
func Run(ctx context.Context, cfg Config, out io.Writer) (err error) {
	cfg = cfg.DatasetDefaults()
	if err := cfg.Validate(); err != nil {
		return err
	}
	if cfg.Bench {
		return bench(ctx, &cfg, out)
	}
	t, err := newTrainer(&cfg, out)
	if err != nil {
		return err
	}
	defer func() { err = cmp.Or(err, closeReplicas(t.reps)) }()
	if t.log != nil {
		defer t.log.Close()
	}
	if cfg.EvalOnly {
		r := NewRecord(t.epoch, t.step, "val")
		if err := t.evaluate(&r); err != nil {
			return err
		}
		fmt.Fprintln(out, summary(r))
		return nil
	}
	for t.epoch < cfg.Epochs {
		if err := t.trainEpoch(ctx); err != nil {
			return err
		}
	}
	return nil
}

// newTrainer opens the data and builds the replicas, resuming or loading
// weights as cfg says; cfg's recipe fields are filled in (see
// Config.DatasetDefaults).
func newTrainer(cfg *Config, out io.Writer) (_ *trainer, err error) {
	ds, err := openData(cfg)
	if err != nil {
		return nil, err
	}
	t := &trainer{cfg: cfg, data: ds, out: out, progress: NewProgress(out, cfg.PrintFreq), start: time.Now()}
	if t.reps, err = newReplicas(cfg, cfg.replicas(), ds.classes, ds.channels); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			closeReplicas(t.reps) // the error that stopped the start is the one to report
		}
	}()
	t.trainLoader, err = data.NewLoader(ds.train, data.LoaderConfig{BatchSize: cfg.Batch, Transforms: ds.trainTfm,
		Shuffle: true, Seed: cfg.Seed, DropLast: true, Workers: cfg.Workers})
	if err != nil {
		return nil, err
	}
	t.valLoader, err = data.NewLoader(ds.val, data.LoaderConfig{BatchSize: cfg.Batch, Transforms: ds.valTfm,
		Seed: cfg.Seed, Workers: cfg.Workers})
	if err != nil {
		return nil, err
	}
	// Replica i takes batch k*devices+i of the loader's order: the same
	// examples one device would see in a batch of devices*batch.
	t.stepsPerEpoch = t.trainLoader.Batches() / cfg.replicas()
	if t.stepsPerEpoch == 0 && !cfg.EvalOnly {
		return nil, fmt.Errorf("%d training examples make no step of -batch %d on %d device(s)", ds.train.Len(), cfg.Batch, cfg.replicas())
	}
	if t.sched, err = schedule(cfg, max(t.stepsPerEpoch, 1)); err != nil {
		return nil, err
	}
	if cfg.Weights != "" {
		if err := loadWeightsFile(t.reps, cfg.Weights); err != nil {
			return nil, err
		}
	}
	var ck *Checkpoint
	if cfg.Resume != "" {
		if ck, t.lastGood, err = loadCheckpointPath(cfg.Resume); err != nil {
			return nil, err
		}
		if err := t.restore(ck, cfg.EvalOnly); err != nil {
			return nil, err
		}
	}
	if cfg.Output == "" || cfg.EvalOnly {
		return t, nil
	}
	return t, t.openOutput(ck)
}

// openOutput prepares the output folder: a fresh run refuses a folder
// that holds another run; a resumed one drops the log lines of epochs
// after its checkpoint, which the resumed run is about to redo.
func (t *trainer) openOutput(resumed *Checkpoint) error {
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
	if t.ckpt, err = NewCheckpointer(dir, t.cfg.Keep, metric, false); err != nil {
		return err
	}
	t.log, err = OpenMetricsLog(logPath)
	return err
}

// trainEpoch trains one epoch, evaluates, logs and saves a checkpoint.
func (t *trainer) trainEpoch(ctx context.Context) error {
	for _, r := range t.reps {
		nn.SetTraining(r.model, true)
	}
	n := len(t.reps)
	per := make([]*scores, n)
	for i := range per {
		per[i] = newScores(t.data.classes, t.data.segmentation)
	}
	ep := t.trainLoader.Epoch(t.epoch)
	defer ep.Close()
	began := time.Now()
	images, lossSum := 0, 0.0
	t.progress.Begin(t.epoch+1, t.stepsPerEpoch, "train")
	for s := 1; s <= t.stepsPerEpoch; s++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		batches, err := nextBatches(ep, n)
		if err != nil {
			release(batches)
			return err
		}
		lr := t.sched.LR(int(t.step))
		losses, err := t.trainStep(batches, lr, per)
		stepImages := release(batches)
		images += stepImages
		if err != nil {
			return err
		}
		loss := mean(losses)
		t.step++
		lossSum += loss * float64(len(losses)*t.cfg.Batch)
		t.progress.Step(s, stepImages, loss, lr)
	}
	t.progress.End()
	t.epoch++
	train := NewRecord(t.epoch, t.step, "train")
	if per[0].topk != nil {
		for _, s := range per[1:] {
			per[0].merge(s)
		}
		per[0].record(&train)
	}
	train.Loss = lossSum / float64(images)
	train.LR = t.reps[0].opt.LR()
	train.ImgPerSec = float64(images) / time.Since(began).Seconds()
	val := NewRecord(t.epoch, t.step, "val")
	val.LR = train.LR
	if err := t.evaluate(&val); err != nil {
		return err
	}
	fmt.Fprintln(t.out, summary(val))
	return t.save(train, val)
}

// trainStep takes one optimizer step at learning rate lr, replica i
// training on batches[i], and returns each replica's loss. Top-k counts go
// to per. A non-finite loss stops it before the step, naming the step.
func (t *trainer) trainStep(batches []*data.Batch, lr float64, per []*scores) ([]float64, error) {
	losses := make([]float64, len(t.reps))
	err := onEach(t.reps, func(i int, r *replica) error {
		r.opt.SetLR(lr)
		r.opt.ZeroGrad()
		logits, loss := lossOf(r, batches[i], t.cfg.LabelSmoothing)
		losses[i] = float64(loss.Item())
		loss.Backward()
		if per[i].topk != nil { // a per-pixel argmax would cost more than it tells
			per[i].add(logits, losses[i], batches[i])
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := CheckLoss(mean(losses), t.epoch+1, t.step+1, t.lastGood); err != nil {
		return nil, err
	}
	allReduce(t.reps)
	return losses, onEach(t.reps, func(_ int, r *replica) error { r.opt.Step(); return nil })
}

// summary is the one line printed after each evaluation.
func summary(r Record) string {
	if r.Top1 == r.Top1 {
		return fmt.Sprintf("epoch %d val: loss %.4f top-1 %.2f%% top-5 %.2f%%", r.Epoch, r.Loss, r.Top1, r.Top5)
	}
	return fmt.Sprintf("epoch %d val: loss %.4f mIoU %.2f%% pixel accuracy %.2f%%", r.Epoch, r.Loss, r.MIoU, r.PixelAcc)
}

// save appends the epoch's records to the log, redraws the plot and
// writes the checkpoint.
func (t *trainer) save(recs ...Record) error {
	if t.ckpt == nil {
		return nil
	}
	for i := range recs {
		recs[i].Time = time.Now().UTC()
		recs[i].Elapsed = time.Since(t.start).Seconds()
		if err := t.log.Append(recs[i], i == len(recs)-1); err != nil {
			return err
		}
	}
	all, err := ReadMetricsLog(filepath.Join(t.cfg.Output, "metrics.jsonl"))
	if err != nil {
		return err
	}
	if err := PlotCurves(filepath.Join(t.cfg.Output, "curves.png"), all, 900, 900); err != nil {
		return err
	}
	val := recs[len(recs)-1]
	path, err := t.ckpt.Save(t.snapshot(map[string]float64{
		"val_loss": val.Loss, "val_top1": val.Top1, "val_top5": val.Top5,
		"val_miou": val.MIoU, "val_pixel_acc": val.PixelAcc}))
	if err != nil {
		return err
	}
	t.lastGood = path
	return nil
}
