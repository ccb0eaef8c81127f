package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gocnn/gocnn/train"
)

// trainFlags holds the training flags, named after torchvision's
// references/classification/train.py options where those exist.
type trainFlags struct {
	cfg         train.Config
	gpus        string
	milestones  string
	output      string
	seed        uint64
	resumeAllow string
	freeze      string
}

// addTrainFlags defines the training flags on fs, with DefaultConfig's
// values as defaults.
func addTrainFlags(fs *flag.FlagSet) *trainFlags {
	f := &trainFlags{cfg: train.DefaultConfig()}
	c := &f.cfg
	fs.StringVar(&c.Model, "model", c.Model, "model to train (-models lists them)")
	fs.StringVar(&c.Dataset, "dataset", c.Dataset, "dataset kind: "+strings.Join(train.Datasets(), ", "))
	fs.StringVar(&c.Data, "data", c.Data, "dataset folder (not for builtin and builtin-seg)")
	fs.IntVar(&c.Epochs, "epochs", c.Epochs, recipeHelp("epochs to train", "0", func(c train.Config) any { return c.Epochs }))
	fs.IntVar(&c.Batch, "batch", c.Batch, recipeHelp("images per batch per device", "0", func(c train.Config) any { return c.Batch }))
	fs.IntVar(&c.AccumSteps, "accum-steps", 1, "batches of -batch whose gradients add up to each optimizer step")
	fs.IntVar(&c.TrainCropSize, "train-crop-size", 0, "training crop size (0: the dataset's default)")
	fs.IntVar(&c.ValResizeSize, "val-resize-size", 0, "validation resize of the shorter side (0: the dataset's default)")
	fs.IntVar(&c.ValCropSize, "val-crop-size", 0, "validation centre crop size (0: the dataset's default)")
	fs.StringVar(&c.Opt, "opt", c.Opt, recipeHelp("optimizer: sgd, sgd_nesterov, adamw or rmsprop", "empty", func(c train.Config) any { return c.Opt }))
	fs.Float64Var(&c.LR, "lr", c.LR, recipeHelp("initial learning rate, for the whole batch over all devices", "0", func(c train.Config) any { return c.LR }))
	fs.Float64Var(&c.Momentum, "momentum", c.Momentum, "momentum (sgd, rmsprop)")
	fs.Float64Var(&c.WeightDecay, "wd", c.WeightDecay, "weight decay")
	fs.StringVar(&c.LRScheduler, "lr-scheduler", c.LRScheduler, recipeHelp("cosineannealinglr, steplr, multisteplr, exponentiallr, polynomiallr or constant", "empty", func(c train.Config) any { return c.LRScheduler }))
	fs.IntVar(&c.LRStepSize, "lr-step-size", c.LRStepSize, "steplr: epochs between decays")
	fs.StringVar(&f.milestones, "lr-milestones", "", recipeHelp("multisteplr: comma-separated epochs at which to decay", "empty", func(c train.Config) any { return joinInts(c.LRMilestones) }))
	fs.Float64Var(&c.LRGamma, "lr-gamma", c.LRGamma, "steplr, multisteplr, exponentiallr: decay factor")
	fs.Float64Var(&c.LRMin, "lr-min", c.LRMin, "cosineannealinglr: final learning rate")
	fs.IntVar(&c.LRWarmupEpochs, "lr-warmup-epochs", c.LRWarmupEpochs, "epochs of learning-rate warmup")
	fs.StringVar(&c.LRWarmupMethod, "lr-warmup-method", c.LRWarmupMethod, "warmup: constant (at -lr-warmup-decay times -lr) or linear (from it to -lr)")
	fs.Float64Var(&c.LRWarmupDecay, "lr-warmup-decay", c.LRWarmupDecay, "warmup: starting fraction of -lr")
	fs.Float64Var(&c.LabelSmoothing, "label-smoothing", c.LabelSmoothing, "label smoothing, e.g. 0.1")
	fs.Float64Var(&c.MixupAlpha, "mixup-alpha", c.MixupAlpha, "mix each batch with itself shifted by one image, ratio ~ Beta(alpha, alpha), e.g. 0.2 (0: off)")
	fs.Float64Var(&c.CutmixAlpha, "cutmix-alpha", c.CutmixAlpha, "paste a box of the previous image of the batch, area ~ Beta(alpha, alpha), e.g. 1.0 (0: off; with -mixup-alpha, one of the two per batch)")
	fs.BoolVar(&c.AuxLogits, "aux-logits", false, "train the auxiliary classifiers too (googlenet: loss weight 0.3 each, inception_v3: 0.4)")
	fs.Float64Var(&c.ClipGradNorm, "clip-grad-norm", c.ClipGradNorm, "clip the gradients' global norm to this before each step (0: no clipping)")
	fs.Var(optionalFloat{&c.NormWeightDecay}, "norm-weight-decay", "weight decay of batch-norm parameters (unset: -wd)")
	fs.Var(optionalFloat{&c.BiasWeightDecay}, "bias-weight-decay", "weight decay of biases (unset: -wd)")
	fs.BoolVar(&c.ModelEMA, "model-ema", false, "keep an exponential moving average of the weights, evaluated and saved beside them")
	fs.IntVar(&c.ModelEMASteps, "model-ema-steps", c.ModelEMASteps, "-model-ema: steps between updates of the average")
	fs.Float64Var(&c.ModelEMADecay, "model-ema-decay", c.ModelEMADecay, "-model-ema: decay per image of the batch, adjusted as torchvision's train.py")
	fs.IntVar(&c.Workers, "workers", c.Workers, "data loading goroutines (0: one per core)")
	fs.StringVar(&f.output, "output", "", "folder for checkpoints, metrics.jsonl and curves.png (default runs/<model>)")
	fs.StringVar(&c.Resume, "resume", "", "continue the run in this output folder (or from this checkpoint .json), with its flags unless given again")
	fs.StringVar(&f.resumeAllow, "resume-allow", "", "comma-separated flags a resumed run may change, which breaks the exact resume: "+strings.Join(train.ResumeAllowable(), ","))
	fs.IntVar(&c.SaveEvery, "save-every", 0, "also save a resumable checkpoint every N steps (0: at the end of each epoch only)")
	fs.BoolVar(&c.EvalOnly, "eval-only", false, "only evaluate the -weights or -resume model")
	fs.StringVar(&c.Weights, "weights", "", "initial weights: a safetensors file from PyTorch or gocnn; a classifier (or first convolution) of another shape keeps its initialisation")
	fs.StringVar(&f.freeze, "freeze", "", "comma-separated parameter-name prefixes not to train, e.g. conv1.,bn1.,layer1.; !fc. freezes all but fc.")
	fs.Uint64Var(&f.seed, "seed", c.Seed, "seed of the initial weights, data order, augmentation and dropout")
	fs.StringVar(&f.gpus, "gpus", "", "comma-separated CUDA devices for data parallel training (GPU build only)")
	fs.IntVar(&c.Devices, "devices", c.Devices, "CPU logical devices for data parallel training")
	fs.StringVar(&c.AMP, "amp", c.AMP, "precision of convolutions and linear layers: fp32, or tf32 or bf16 with fp32 accumulation")
	fs.IntVar(&c.PrintFreq, "print-freq", c.PrintFreq, "steps between progress lines when not on a terminal")
	fs.BoolVar(&c.Bench, "bench", false, "time training steps on synthetic data and print img/s")
	fs.BoolVar(&c.BenchData, "bench-data", false, "time the training data loader (read, decode, augment, batch) on the dataset at 1, 2 and all workers and print img/s; trains nothing")
	addAugmentFlags(fs, &c.Augment)
	fs.IntVar(&c.Limit, "limit", 0, "use only N training and N validation images, of every class alike, drawn with -seed (0: the dataset's default: all, or the first 500 for builtin-seg; -1: all)")
	fs.BoolVar(&c.SkipBad, "skip-bad", false, "leave out the images and masks that cannot be read, and name them, instead of refusing to start")
	fs.BoolVar(&c.CacheDataset, "cache-dataset", false, "keep the images in memory once decoded (validation ones resized and cropped on GPUs), if they fit in half the available memory, so later epochs skip reading and decoding them")
	for alias, name := range torchvisionAliases {
		fs.Var(fs.Lookup(name).Value, alias, fmt.Sprintf("same as -%s (torchvision's spelling)", name))
	}
	return f
}

// torchvisionAliases are torchvision's references/classification/train.py
// spellings of the flags whose names here differ, as aliases of ours.
var torchvisionAliases = map[string]string{
	"b":            "batch",
	"batch-size":   "batch",
	"data-path":    "data",
	"output-dir":   "output",
	"test-only":    "eval-only",
	"j":            "workers",
	"weight-decay": "wd",
}

// recipeHelp is the usage of a flag that the dataset's recipe sets when it
// is left at zero: what zero means for each dataset, read from the recipes
// themselves, e.g. "3 for builtin, mnist; 6 for builtin-seg".
func recipeHelp(usage, zero string, value func(train.Config) any) string {
	var order []string
	datasets := map[string][]string{}
	for _, name := range train.Datasets() {
		c := train.DefaultConfig()
		c.Dataset = name
		v := fmt.Sprint(value(c.DatasetDefaults()))
		if datasets[v] == nil {
			order = append(order, v)
		}
		datasets[v] = append(datasets[v], name)
	}
	var parts []string
	for _, v := range order {
		if v != "" { // the recipes that leave the flag unused
			parts = append(parts, v+" for "+strings.Join(datasets[v], ", "))
		}
	}
	return fmt.Sprintf("%s (%s: the dataset's recipe: %s)", usage, zero, strings.Join(parts, "; "))
}

// config returns the flags as a train.Config, or an error naming a flag
// whose value cannot be read.
func (f *trainFlags) config() (train.Config, error) {
	c := f.cfg
	c.Seed = f.seed
	c.Output = f.output
	if c.Output == "" && !c.Bench && !c.BenchData && !c.EvalOnly {
		c.Output = filepath.Join("runs", c.Model)
	}
	if c.Resume != "" && f.output == "" && !c.EvalOnly {
		// Continue in the folder resumed from.
		c.Output = c.Resume
		if fi, err := os.Stat(c.Resume); err == nil && !fi.IsDir() {
			c.Output = filepath.Dir(c.Resume)
		}
	}
	if f.resumeAllow != "" {
		c.ResumeAllow = strings.Split(f.resumeAllow, ",")
	}
	if f.freeze != "" {
		c.Freeze = strings.Split(f.freeze, ",")
	}
	var err error
	if c.GPUs, err = parseInts("-gpus", f.gpus); err != nil {
		return c, err
	}
	if f.gpus == "" && c.Devices <= 1 {
		c.GPUs = train.DefaultGPUs() // GPU 0 on the cuda build
	}
	if c.LRMilestones, err = parseInts("-lr-milestones", f.milestones); err != nil {
		return c, err
	}
	return c, c.Validate()
}

// joinInts writes v as parseInts reads it.
func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ",")
}

// parseInts reads a comma-separated list of non-negative integers.
func parseInts(flagName, s string) ([]int, error) {
	if s == "" {
		return nil, nil
	}
	var out []int
	for _, part := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil || v < 0 {
			return nil, fmt.Errorf("%s %q: want comma-separated non-negative integers", flagName, s)
		}
		out = append(out, v)
	}
	return out, nil
}
