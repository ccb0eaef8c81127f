package train

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/checkpoint"
	"github.com/gocnn/gocnn/data"
	"github.com/gocnn/gocnn/nn/models"
)

// Config is one training run: what cmd/train's flags set. Its zero value
// is not usable; start from DefaultConfig.
type Config struct {
	Model   string // registered name, see models.All
	Dataset string // one of Datasets
	Data    string // root folder of the dataset (not for builtin ones)

	// Epochs, Batch (per device), Opt, LR, LRScheduler and LRMilestones
	// left zero take the dataset's recipe; see DatasetDefaults.
	Epochs int
	Batch  int
	// TrainCropSize, ValResizeSize and ValCropSize are the image sizes of
	// the transforms; 0 takes the dataset's own (see Datasets).
	TrainCropSize, ValResizeSize, ValCropSize int

	Opt            string  // sgd, sgd_nesterov, adamw or rmsprop
	LR             float64 // for the whole batch over all devices
	Momentum       float64
	WeightDecay    float64
	LRScheduler    string // cosineannealinglr, steplr, multisteplr, exponentiallr, polynomiallr or constant
	LRStepSize     int    // epochs, for steplr
	LRMilestones   []int  // epochs, for multisteplr
	LRGamma        float64
	LRPower        float64 // polynomiallr
	LRMin          float64 // cosineannealinglr's floor
	LRWarmupEpochs int
	LRWarmupMethod string // constant (torchvision's default) or linear
	LRWarmupDecay  float64
	LabelSmoothing float64
	// ClipGradNorm clips the gradients' global norm to this before each
	// optimizer step (torchvision's --clip-grad-norm); 0 does not clip.
	ClipGradNorm float64
	// NormWeightDecay and BiasWeightDecay, when set, are the weight decay
	// of the batch-norm parameters and of the biases instead of
	// WeightDecay (torchvision's --norm-weight-decay, --bias-weight-decay;
	// see optim.DecayPolicy).
	NormWeightDecay, BiasWeightDecay *float64
	// ModelEMA keeps an exponential moving average of the weights, updated
	// every ModelEMASteps steps with ModelEMADecay adjusted as torchvision's
	// train.py does, evaluated after each epoch and saved in checkpoints
	// (torchvision's --model-ema, --model-ema-steps, --model-ema-decay).
	ModelEMA      bool
	ModelEMASteps int
	ModelEMADecay float64
	// MixupAlpha and CutmixAlpha mix each training batch with itself
	// rolled by one example, as torchvision's RandomMixup and RandomCutmix
	// (-mixup-alpha, -cutmix-alpha): one of those set is chosen per batch,
	// its mixing ratio drawn from Beta(alpha, alpha), and the loss is the
	// cross-entropy against the mixed targets (see objective). 0 is off.
	MixupAlpha, CutmixAlpha float64
	// AuxLogits builds the model with its auxiliary classifiers (googlenet,
	// inception_v3) and adds their losses, each weighted by
	// models.Spec.AuxLossWeight, to the training loss (-aux-logits).
	AuxLogits bool
	// AccumSteps adds up the gradients of AccumSteps batches of Batch per
	// device before each optimizer step (-accum-steps; 0 or 1: none).
	AccumSteps int
	// Augment is the augmentation beyond the dataset's crop and flip
	// (-auto-augment, -random-erase, -interpolation, ...).
	Augment Augment

	Workers int    // data loader goroutines; 0 means GOMAXPROCS
	Output  string // checkpoints, metrics.jsonl, curves.png; "" saves nothing
	Keep    int    // epoch checkpoints kept
	// Resume continues from a checkpoint: a .json written by a
	// checkpoint.Saver, or a folder whose latest one is taken.
	Resume string
	// ResumeAllow names the flags (without the dash) that a resumed run
	// may change from the checkpoint's, e.g. "epochs"; see
	// ResumeAllowable. Any other change is refused, as it breaks the exact
	// resume.
	ResumeAllow []string
	// SaveEvery also saves a resumable checkpoint every SaveEvery
	// optimizer steps within epochs; 0 saves at the end of epochs only.
	SaveEvery int
	EvalOnly  bool
	// Weights initialises the model from a safetensors file (PyTorch's
	// state_dict or a gocnn checkpoint); tensors whose shape depends on
	// the classes or input channels keep the model's own initialisation
	// when the file's differ (see loadWeightsFile).
	Weights string
	// Freeze lists parameter-name prefixes whose parameters are not
	// trained; when every entry starts with "!", the parameters that match
	// none of them are frozen instead (see trainableParams).
	Freeze []string
	Seed   uint64

	// GPUs lists CUDA devices for data parallel training; the CPU build
	// rejects it.
	GPUs []int
	// Devices is the number of CPU logical devices for data parallel
	// training; the host's cores are split between them.
	Devices int
	// Dist is how the devices work together (collective timeout, sync-BN,
	// the split AlexNet).
	Dist DistConfig
	// AMP is the precision of convolutions and linear layers: fp32, or
	// tf32 or bf16 with fp32 accumulation (see autograd.Precision), on
	// the CPU or the GPUs (tensor cores).
	AMP string

	PrintFreq int
	// Bench trains BenchSteps steps on synthetic data and reports img/s
	// instead of a run.
	Bench      bool
	BenchSteps int
	// BenchData times the training data loader on the dataset instead
	// of a run: BenchSteps batches at 1, 2 and all workers (see
	// benchData).
	BenchData bool
	// Limit keeps Limit training and validation examples, for quick
	// experiments and tests: a class-balanced sample drawn with Seed when
	// the dataset knows its labels (see data.Limit); 0 means the dataset's
	// default (all, but 500 for builtin-seg), -1 all.
	Limit int
	// SkipBad leaves out the examples whose files cannot be read, reported
	// at the start and the end of the run, instead of refusing to start.
	SkipBad bool
	// CacheDataset keeps the images in memory once loaded, when they fit
	// in half the available memory, so that later epochs neither read nor
	// decode them (see dataSource.cache).
	CacheDataset bool

	// TrainSet and ValSet, when set, replace the datasets Dataset names
	// (for programs and tests); their images are used as they are,
	// normalised with Mean and Std.
	TrainSet, ValSet data.Dataset
	Mean, Std        []float32
	Segmentation     bool

	// Hooks run after Run's own (progress, NaN guard, metrics log,
	// checkpoints), as training goes; see Hooks. An -eval-only run calls
	// none.
	Hooks Hooks
}

// DefaultConfig returns the configuration of `train` with no flags: a
// CIFAR-style ResNet-20 on the embedded Fashion-MNIST sample, sized to
// finish in a few minutes on two cores. Its epochs, batch, optimizer,
// learning rate and schedule are left to the dataset's recipe.
func DefaultConfig() Config {
	return Config{
		Model:          "resnet20",
		Dataset:        "builtin",
		Momentum:       0.9,
		WeightDecay:    1e-4,
		LRStepSize:     30,
		LRGamma:        0.1,
		LRPower:        0.9,
		LRWarmupMethod: "constant", // torchvision's default
		LRWarmupDecay:  0.01,
		ModelEMASteps:  32,
		ModelEMADecay:  0.99998,
		Keep:           3,
		Seed:           1,
		Devices:        1,
		AMP:            "fp32",
		PrintFreq:      10,
		BenchSteps:     20,
		Output:         "runs",
		Augment:        DefaultAugment(),
	}
}

var (
	optimizers = []string{"sgd", "sgd_nesterov", "adamw", "rmsprop"}
	schedulers = []string{"cosineannealinglr", "steplr", "multisteplr", "exponentiallr", "polynomiallr", "constant"}
	// warmupMethods are torchvision's: LinearLR or ConstantLR for the
	// warmup epochs.
	warmupMethods = []string{"linear", "constant"}
)

// DatasetDefaults returns c with the fields left zero filled from the
// dataset's recipe (see datasetSpec): its epochs, batch, optimizer,
// learning rate, schedule and milestones, and -limit. Run trains with
// these.
func (c Config) DatasetDefaults() Config {
	spec := datasetSpecs[c.Dataset]
	if c.TrainSet != nil {
		spec = datasetSpec{}
	}
	r := cmp.Or(spec.recipe, defaultRecipe)
	c.Epochs = cmp.Or(c.Epochs, r.epochs)
	c.Batch = cmp.Or(c.Batch, r.batch)
	c.Opt = cmp.Or(c.Opt, r.opt)
	c.LR = cmp.Or(c.LR, r.lr)
	c.LRScheduler = cmp.Or(c.LRScheduler, r.scheduler)
	if c.LRMilestones == nil {
		c.LRMilestones = slices.Clone(r.milestones)
	}
	c.Limit = cmp.Or(c.Limit, spec.limit)
	return c
}

// Validate returns an error naming the first field out of range, in the
// words of the flag that sets it. Zero fields that take the dataset's
// recipe are checked as DatasetDefaults fills them.
func (c *Config) Validate() error {
	r := c.DatasetDefaults()
	return r.validate()
}

func (c *Config) validate() error {
	positive := []struct {
		name string
		v    int
	}{{"-epochs", c.Epochs}, {"-devices", c.Devices}, {"-print-freq", c.PrintFreq}}
	for _, p := range positive {
		if p.v < 1 {
			return fmt.Errorf("%s %d: must be at least 1", p.name, p.v)
		}
	}
	nonNegative := []struct {
		name string
		v    int
	}{{"-batch", c.Batch}, {"-train-crop-size", c.TrainCropSize}, {"-val-resize-size", c.ValResizeSize}, {"-val-crop-size", c.ValCropSize},
		{"-lr-warmup-epochs", c.LRWarmupEpochs}, {"-workers", c.Workers}}
	for _, p := range nonNegative {
		if p.v < 0 {
			return fmt.Errorf("%s %d: must not be negative", p.name, p.v)
		}
	}
	switch {
	case !(c.LR > 0):
		return fmt.Errorf("-lr %v: must be positive", c.LR)
	case !(c.Momentum >= 0 && c.Momentum < 1):
		return fmt.Errorf("-momentum %v: must be in [0, 1)", c.Momentum)
	case !(c.WeightDecay >= 0):
		return fmt.Errorf("-wd %v: must not be negative", c.WeightDecay)
	case !(c.ClipGradNorm >= 0) || math.IsInf(c.ClipGradNorm, 0):
		return fmt.Errorf("-clip-grad-norm %v: want a positive norm, or 0 not to clip", c.ClipGradNorm)
	case c.NormWeightDecay != nil && !(*c.NormWeightDecay >= 0):
		return fmt.Errorf("-norm-weight-decay %v: must not be negative", *c.NormWeightDecay)
	case c.BiasWeightDecay != nil && !(*c.BiasWeightDecay >= 0):
		return fmt.Errorf("-bias-weight-decay %v: must not be negative", *c.BiasWeightDecay)
	case c.AccumSteps < 0:
		return fmt.Errorf("-accum-steps %d: want a number of batches per step, at least 1", c.AccumSteps)
	case c.ModelEMA && c.ModelEMASteps < 1:
		return fmt.Errorf("-model-ema-steps %d: must be at least 1", c.ModelEMASteps)
	case c.ModelEMA && !(c.ModelEMADecay >= 0 && c.ModelEMADecay <= 1):
		return fmt.Errorf("-model-ema-decay %v: must be in [0, 1]", c.ModelEMADecay)
	case !(c.LabelSmoothing >= 0 && c.LabelSmoothing < 1):
		return fmt.Errorf("-label-smoothing %v: must be in [0, 1)", c.LabelSmoothing)
	case !(c.MixupAlpha >= 0) || math.IsInf(c.MixupAlpha, 0):
		return fmt.Errorf("-mixup-alpha %v: want a positive Beta parameter, or 0 for no mixup", c.MixupAlpha)
	case !(c.CutmixAlpha >= 0) || math.IsInf(c.CutmixAlpha, 0):
		return fmt.Errorf("-cutmix-alpha %v: want a positive Beta parameter, or 0 for no CutMix", c.CutmixAlpha)
	case (c.MixupAlpha > 0 || c.CutmixAlpha > 0) && c.isSegmentation():
		return fmt.Errorf("-mixup-alpha and -cutmix-alpha: for classification only, as torchvision's reference")
	case !slices.Contains(optimizers, c.Opt):
		return fmt.Errorf("-opt %q: want one of %v", c.Opt, optimizers)
	case !slices.Contains(schedulers, c.LRScheduler):
		return fmt.Errorf("-lr-scheduler %q: want one of %v", c.LRScheduler, schedulers)
	case !(c.LRMin >= 0 && c.LRMin <= c.LR):
		return fmt.Errorf("-lr-min %v: must be in [0, -lr %v]", c.LRMin, c.LR)
	case c.LRWarmupEpochs >= c.Epochs && c.LRWarmupEpochs > 0:
		return fmt.Errorf("-lr-warmup-epochs %d: must be fewer than -epochs %d", c.LRWarmupEpochs, c.Epochs)
	case !slices.Contains(warmupMethods, c.LRWarmupMethod):
		return fmt.Errorf("-lr-warmup-method %q: want one of %v", c.LRWarmupMethod, warmupMethods)
	case c.LRWarmupMethod == "linear" && !(c.LRWarmupDecay > 0 && c.LRWarmupDecay <= 1):
		return fmt.Errorf("-lr-warmup-decay %v: linear warmup starts at this fraction of -lr, which must be in (0, 1]", c.LRWarmupDecay)
	case c.LRWarmupMethod == "constant" && !(c.LRWarmupDecay >= 0 && c.LRWarmupDecay <= 1):
		return fmt.Errorf("-lr-warmup-decay %v: constant warmup trains at this fraction of -lr, which must be in [0, 1]", c.LRWarmupDecay)
	case !slices.IsSorted(c.LRMilestones):
		return fmt.Errorf("-lr-milestones %s: the epochs must not decrease",
			strings.Trim(strings.ReplaceAll(fmt.Sprint(c.LRMilestones), " ", ","), "[]"))
	case c.Limit < -1:
		return fmt.Errorf("-limit %d: want a number of images, 0 for the dataset's default or -1 for all", c.Limit)
	case !slices.Contains(autograd.Precisions, c.AMP):
		return fmt.Errorf("-amp %q: want one of %v", c.AMP, autograd.Precisions)
	case len(c.GPUs) > 0 && c.Devices > 1:
		return fmt.Errorf("-gpus %v and -devices %d: choose GPUs or CPU logical devices", c.GPUs, c.Devices)
	case (c.Bench || c.BenchData) && c.BenchSteps < 1:
		return fmt.Errorf("bench steps %d: must be at least 1", c.BenchSteps)
	case c.Bench && c.BenchData:
		return fmt.Errorf("-bench and -bench-data: time the model or the data loader, not both")
	case c.EvalOnly && c.Resume == "" && c.Weights == "":
		return fmt.Errorf("-eval-only needs -weights or -resume to evaluate")
	}
	if c.SaveEvery < 0 {
		return fmt.Errorf("-save-every %d: want a number of steps, or 0 to save at the end of epochs only", c.SaveEvery)
	}
	if err := c.validateResumeAllow(); err != nil {
		return err
	}
	if err := checkGPUs(c.GPUs); err != nil {
		return err
	}
	if err := c.Augment.validate(c.isSegmentation()); err != nil {
		return err
	}
	if err := c.Dist.validate(c); err != nil {
		return err
	}
	spec, err := models.Lookup(c.Model)
	if err != nil {
		return err
	}
	if c.AuxLogits && spec.AuxLossWeight() == 0 {
		return fmt.Errorf("-aux-logits: %s has no auxiliary classifiers (googlenet and inception_v3 have)", c.Model)
	}
	if c.TrainSet == nil && !c.Bench {
		return c.validateDataset()
	}
	return nil
}

// validateDataset checks -dataset and the flags that go with it: -data
// and the image sizes.
func (c *Config) validateDataset() error {
	spec, ok := datasetSpecs[c.Dataset]
	switch {
	case !ok:
		return fmt.Errorf("-dataset %q: want one of %v", c.Dataset, Datasets())
	case c.Data != "" && !spec.needsRoot:
		return fmt.Errorf("-data %s: -dataset %s is built into the binary and reads no folder", c.Data, c.Dataset)
	}
	_, resize, crop := c.imageSizes()
	if resize > 0 && crop > resize {
		return fmt.Errorf("-val-crop-size %d: larger than -val-resize-size %d, the shorter side it is cropped from", crop, resize)
	}
	return nil
}

// flags returns what a checkpoint records of the run as strings: the
// model's checkpoint.ModelInfo, from which Load rebuilds the model and its
// input normalisation, and the run's settings.
func (c *Config) flags(ds *dataSource) map[string]string {
	f := checkpoint.ModelInfo{Model: c.Model, Classes: ds.classes, ClassNames: ds.train.Classes(), InChannels: ds.channels,
		AuxLogits: c.AuxLogits, Segmentation: ds.segmentation, Mean: ds.mean, Std: ds.std}.Flags()
	maps.Copy(f, c.settings(ds))
	return f
}

// modelOptions returns how the run builds its model for classes and
// channels.
func (c *Config) modelOptions(classes, channels int) models.Options {
	return models.Options{Classes: classes, InChannels: channels, AuxLogits: c.AuxLogits}
}

// replicas returns the number of model replicas: one per -gpus entry, else
// one per CPU logical device; one with -split, whose model spans both.
func (c *Config) replicas() int {
	if c.Dist.Split {
		return 1 // one model over both devices
	}
	if len(c.GPUs) > 0 {
		return len(c.GPUs)
	}
	return c.Devices
}
