package train

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gocnn/gocnn/checkpoint"
)

// A checkpoint records the run's whole configuration, each setting under
// the name of the flag that sets it (State.Flags), so that a resume can
// take it back (ResumeSettings) and refuse a change that would break the
// exact resume (checkResume).

// resumeRule says whether a resumed run may change a setting.
type resumeRule int

const (
	// free settings change neither the numbers nor their order: where the
	// data lies, which GPUs, how many loader goroutines, what is printed.
	free resumeRule = iota
	// allowed settings change the run's future (the schedule, the
	// regularisation and augmentation, the evaluation): a resume refuses
	// a change unless -resume-allow names the flag.
	allowed
	// fixed settings decide the model, the data and its order; a resume
	// never changes them (a new run can start from the weights instead).
	fixed
)

// setting is one entry of the configuration a checkpoint records.
type setting struct {
	key   string // the flag's name, or for what no flag sets a name of its own
	flag  bool   // key is a flag of cmd/train
	rule  resumeRule
	value func(c *Config, ds *dataSource) string
}

// label is how messages name s: "-batch", or "training images".
func (s setting) label() string {
	if s.flag {
		return "-" + s.key
	}
	return strings.ReplaceAll(s.key, "_", " ")
}

func itoa(n int) string     { return strconv.Itoa(n) }
func ftoa(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// optionalFtoa writes an optional number, "" when unset.
func optionalFtoa(v *float64) string {
	if v == nil {
		return ""
	}
	return ftoa(*v)
}

// joinInts writes v as -lr-milestones and -gpus take it.
func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = itoa(n)
	}
	return strings.Join(s, ",")
}

var settings = []setting{
	{"model", true, fixed, func(c *Config, _ *dataSource) string { return c.Model }},
	{"dataset", true, fixed, func(c *Config, _ *dataSource) string { return c.Dataset }},
	{"data", true, free, func(c *Config, _ *dataSource) string { return c.Data }},
	{"training_images", false, fixed, func(_ *Config, ds *dataSource) string { return itoa(ds.train.Len()) }},
	{"validation_images", false, fixed, func(_ *Config, ds *dataSource) string { return itoa(ds.val.Len()) }},
	{"limit", true, fixed, func(c *Config, _ *dataSource) string { return itoa(c.Limit) }},
	{"batch", true, fixed, func(c *Config, _ *dataSource) string { return itoa(c.Batch) }},
	{"accum-steps", true, fixed, func(c *Config, _ *dataSource) string { return itoa(c.accumSteps()) }},
	{"seed", true, fixed, func(c *Config, _ *dataSource) string { return strconv.FormatUint(c.Seed, 10) }},
	{"opt", true, fixed, func(c *Config, _ *dataSource) string { return c.Opt }},
	{"devices", true, fixed, func(c *Config, _ *dataSource) string { return itoa(c.Devices) }},
	{"aux-logits", true, fixed, func(c *Config, _ *dataSource) string { return strconv.FormatBool(c.AuxLogits) }},
	{"freeze", true, fixed, func(c *Config, _ *dataSource) string { return strings.Join(c.Freeze, ",") }},
	{"train-crop-size", true, fixed, func(c *Config, _ *dataSource) string { return itoa(c.TrainCropSize) }},
	{"epochs", true, allowed, func(c *Config, _ *dataSource) string { return itoa(c.Epochs) }},
	{"lr", true, allowed, func(c *Config, _ *dataSource) string { return ftoa(c.LR) }},
	{"momentum", true, allowed, func(c *Config, _ *dataSource) string { return ftoa(c.Momentum) }},
	{"wd", true, allowed, func(c *Config, _ *dataSource) string { return ftoa(c.WeightDecay) }},
	{"lr-scheduler", true, allowed, func(c *Config, _ *dataSource) string { return c.LRScheduler }},
	{"lr-step-size", true, allowed, func(c *Config, _ *dataSource) string { return itoa(c.LRStepSize) }},
	{"lr-milestones", true, allowed, func(c *Config, _ *dataSource) string { return joinInts(c.LRMilestones) }},
	{"lr-gamma", true, allowed, func(c *Config, _ *dataSource) string { return ftoa(c.LRGamma) }},
	{"lr-min", true, allowed, func(c *Config, _ *dataSource) string { return ftoa(c.LRMin) }},
	{"lr-warmup-epochs", true, allowed, func(c *Config, _ *dataSource) string { return itoa(c.LRWarmupEpochs) }},
	{"lr-warmup-method", true, allowed, func(c *Config, _ *dataSource) string { return c.LRWarmupMethod }},
	{"lr-warmup-decay", true, allowed, func(c *Config, _ *dataSource) string { return ftoa(c.LRWarmupDecay) }},
	{"clip-grad-norm", true, allowed, func(c *Config, _ *dataSource) string { return ftoa(c.ClipGradNorm) }},
	{"norm-weight-decay", true, allowed, func(c *Config, _ *dataSource) string { return optionalFtoa(c.NormWeightDecay) }},
	{"bias-weight-decay", true, allowed, func(c *Config, _ *dataSource) string { return optionalFtoa(c.BiasWeightDecay) }},
	{"model-ema", true, allowed, func(c *Config, _ *dataSource) string { return strconv.FormatBool(c.ModelEMA) }},
	{"model-ema-steps", true, allowed, func(c *Config, _ *dataSource) string { return itoa(c.ModelEMASteps) }},
	{"model-ema-decay", true, allowed, func(c *Config, _ *dataSource) string { return ftoa(c.ModelEMADecay) }},
	{"amp", true, allowed, func(c *Config, _ *dataSource) string { return c.AMP }},
	{"label-smoothing", true, allowed, func(c *Config, _ *dataSource) string { return ftoa(c.LabelSmoothing) }},
	{"mixup-alpha", true, allowed, func(c *Config, _ *dataSource) string { return ftoa(c.MixupAlpha) }},
	{"cutmix-alpha", true, allowed, func(c *Config, _ *dataSource) string { return ftoa(c.CutmixAlpha) }},
	{"auto-augment", true, allowed, func(c *Config, _ *dataSource) string { return c.Augment.AutoAugment }},
	{"ra-magnitude", true, allowed, func(c *Config, _ *dataSource) string { return itoa(c.Augment.RAMagnitude) }},
	{"augmix-severity", true, allowed, func(c *Config, _ *dataSource) string { return itoa(c.Augment.AugmixSeverity) }},
	{"random-erase", true, allowed, func(c *Config, _ *dataSource) string { return ftoa(c.Augment.RandomErase) }},
	{"color-jitter", true, allowed, func(c *Config, _ *dataSource) string {
		j := c.Augment.ColorJitter
		return ftoa(j[0]) + "," + ftoa(j[1]) + "," + ftoa(j[2]) + "," + ftoa(j[3])
	}},
	{"pca-lighting", true, allowed, func(c *Config, _ *dataSource) string { return ftoa(c.Augment.PCALighting) }},
	{"interpolation", true, allowed, func(c *Config, _ *dataSource) string { return c.Augment.Interpolation.String() }},
	{"skip-bad", true, allowed, func(c *Config, _ *dataSource) string { return strconv.FormatBool(c.SkipBad) }},
	{"val-resize-size", true, allowed, func(c *Config, _ *dataSource) string { return itoa(c.ValResizeSize) }},
	{"val-crop-size", true, allowed, func(c *Config, _ *dataSource) string { return itoa(c.ValCropSize) }},
	{"split", true, fixed, func(c *Config, _ *dataSource) string { return strconv.FormatBool(c.Dist.Split) }},
	{"sync-bn", true, fixed, func(c *Config, _ *dataSource) string { return strconv.FormatBool(c.Dist.SyncBN) }},
	// Each process of several names its own GPUs (or takes LOCAL_RANK's):
	// rank 0's are not the others' to resume with.
	{"gpus", true, free, func(c *Config, _ *dataSource) string {
		if c.Dist.processes() > 1 {
			return ""
		}
		return joinInts(c.GPUs)
	}},
	{"dist-timeout", true, free, func(c *Config, _ *dataSource) string { return c.Dist.timeout().String() }},
	{"workers", true, free, func(c *Config, _ *dataSource) string { return itoa(c.Workers) }},
	{"cache-dataset", true, free, func(c *Config, _ *dataSource) string { return strconv.FormatBool(c.CacheDataset) }},
	{"print-freq", true, free, func(c *Config, _ *dataSource) string { return itoa(c.PrintFreq) }},
	{"save-every", true, free, func(c *Config, _ *dataSource) string { return itoa(c.SaveEvery) }},
}

// ResumeAllowable returns the flags -resume-allow may name.
func ResumeAllowable() []string {
	var names []string
	for _, s := range settings {
		if s.rule == allowed {
			names = append(names, s.key)
		}
	}
	return names
}

// settings returns the run's settings as the checkpoint records them.
func (c *Config) settings(ds *dataSource) map[string]string {
	m := map[string]string{}
	for _, s := range settings {
		m[s.key] = s.value(c, ds)
	}
	return m
}

// validateResumeAllow checks the names of -resume-allow.
func (c *Config) validateResumeAllow() error {
	if len(c.ResumeAllow) > 0 && c.Resume == "" {
		return fmt.Errorf("-resume-allow %s: only for a resumed run (-resume)", strings.Join(c.ResumeAllow, ","))
	}
	ok := ResumeAllowable()
	for _, name := range c.ResumeAllow {
		i := slices.IndexFunc(settings, func(s setting) bool { return s.flag && s.key == name })
		switch {
		case i >= 0 && settings[i].rule == fixed:
			return fmt.Errorf("-resume-allow %s: -%s decides the model or the data and its order, which a resume cannot change; start a new run with -weights instead", name, name)
		case i < 0 || settings[i].rule != allowed:
			return fmt.Errorf("-resume-allow %q: want some of %s (comma-separated)", name, strings.Join(ok, ","))
		}
	}
	return nil
}

// ResumeSettings returns the flags the run that wrote the checkpoint path
// names (a .json or an output folder) was started with, by flag name
// without the dash, as cmd/train sets them before the command line's own:
// a resumed run goes on as it was started unless told otherwise.
func ResumeSettings(path string) (map[string]string, error) {
	st, err := checkpoint.ReadState(path)
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	for _, s := range settings {
		if v, ok := st.Flags[s.key]; ok && s.flag {
			m[s.key] = v
		}
	}
	return m, nil
}

// checkResume compares the settings a checkpoint recorded with the run's
// and refuses, in one line, every difference that would break the exact
// resume and that -resume-allow does not allow, naming each flag with its
// old and new value. Settings the checkpoint does not record (one written
// by an older gocnn) are not compared. path is the checkpoint, for the
// message.
func (c *Config) checkResume(recorded map[string]string, ds *dataSource, path string) error {
	var changed, mayChange, cannotChange []string
	for _, s := range settings {
		old, ok := recorded[s.key]
		now := s.value(c, ds)
		if !ok || old == now || s.rule == free || slices.Contains(c.ResumeAllow, s.key) {
			continue
		}
		changed = append(changed, fmt.Sprintf("%s %s -> %s", s.label(), show(old), show(now)))
		if s.rule == allowed {
			mayChange = append(mayChange, s.key)
		} else {
			cannotChange = append(cannotChange, s.label())
		}
	}
	if len(changed) == 0 {
		return nil
	}
	verb := "differs"
	if len(changed) > 1 {
		verb = "differ"
	}
	msg := fmt.Sprintf("-resume %s: %s %s from the checkpoint's run, which breaks the exact resume", path, strings.Join(changed, ", "), verb)
	if len(mayChange) > 0 {
		msg += fmt.Sprintf("; to change anyway, add -resume-allow %s", strings.Join(mayChange, ","))
	}
	if len(cannotChange) > 0 {
		msg += fmt.Sprintf("; %s cannot change on resume: start a new run from the checkpoint's weights with -weights %s",
			strings.Join(cannotChange, ", "), strings.TrimSuffix(path, ".json")+".safetensors")
	}
	return fmt.Errorf("%s", msg)
}

// show writes a setting's value for a message, "" as (none).
func show(v string) string {
	if v == "" {
		return "(none)"
	}
	return v
}
