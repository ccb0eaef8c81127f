package main

import (
	"flag"
	"io"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gocnn/gocnn/train"
)

func parse(t *testing.T, args ...string) (*trainFlags, error) {
	t.Helper()
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	f := addTrainFlags(fs)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	return f, nil
}

func TestTrainFlagsConfig(t *testing.T) {
	f, err := parse(t, "-model", "resnet56", "-epochs", "3", "-batch", "32", "-lr", "0.05", "-wd", "5e-4",
		"-opt", "sgd_nesterov", "-lr-scheduler", "multisteplr", "-lr-milestones", "1,2", "-devices", "2", "-seed", "7")
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.config()
	if err != nil {
		t.Fatal(err)
	}
	if c.Model != "resnet56" || c.Epochs != 3 || c.Batch != 32 || c.LR != 0.05 || c.WeightDecay != 5e-4 ||
		c.Opt != "sgd_nesterov" || !slices.Equal(c.LRMilestones, []int{1, 2}) || c.Devices != 2 || c.Seed != 7 {
		t.Errorf("config %+v does not hold the flags given", c)
	}
	if c.Output != filepath.Join("runs", "resnet56") {
		t.Errorf("default output %q, want runs/resnet56", c.Output)
	}
}

func TestTrainFlagsResumeContinuesInItsFolder(t *testing.T) {
	f, err := parse(t, "-resume", "runs/x")
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.config()
	if err != nil {
		t.Fatal(err)
	}
	if c.Output != "runs/x" {
		t.Errorf("-resume runs/x writes to %q, want runs/x", c.Output)
	}
}

// TestTrainFlagsBadValues checks that each bad value gives an error that
// names its flag.
func TestTrainFlagsBadValues(t *testing.T) {
	type badValue struct {
		args []string
		want string
	}
	var cases []badValue
	if train.DefaultGPUs() == nil {
		// Only a build without CUDA refuses GPUs.
		cases = append(cases, badValue{[]string{"-gpus", "0,1"}, "-tags cuda"})
	}
	for _, tc := range append(cases, []badValue{
		{[]string{"-epochs", "-1"}, "-epochs"},
		{[]string{"-batch", "-1"}, "-batch"},
		{[]string{"-lr", "-0.1"}, "-lr"},
		{[]string{"-opt", "lbfgs"}, "-opt"},
		{[]string{"-lr-scheduler", "onecycle"}, "-lr-scheduler"},
		{[]string{"-dataset", "imagenet22k"}, "-dataset"},
		{[]string{"-amp", "fp8"}, "-amp"},
		{[]string{"-gpus", "zero"}, "-gpus"},
		{[]string{"-lr-milestones", "3,x"}, "-lr-milestones"},
		{[]string{"-devices", "0"}, "-devices"},
		{[]string{"-eval-only"}, "-eval-only"},
		{[]string{"-label-smoothing", "1"}, "-label-smoothing"},
		{[]string{"-clip-grad-norm", "-1"}, "-clip-grad-norm -1:"},
		{[]string{"-norm-weight-decay", "-1"}, "-norm-weight-decay -1:"},
		{[]string{"-bias-weight-decay", "-0.5"}, "-bias-weight-decay -0.5:"},
		{[]string{"-model-ema", "-model-ema-steps", "0"}, "-model-ema-steps 0:"},
		{[]string{"-accum-steps", "-2"}, "-accum-steps -2:"},
		{[]string{"-mixup-alpha", "-0.2"}, "-mixup-alpha -0.2:"},
		{[]string{"-cutmix-alpha", "NaN"}, "-cutmix-alpha NaN:"},
		{[]string{"-dataset", "builtin-seg", "-model", "unet", "-cutmix-alpha", "1"}, "for classification only"},
		{[]string{"-model", "resnet18", "-aux-logits"}, "-aux-logits: resnet18 has no auxiliary classifiers"},
		{[]string{"-model-ema", "-model-ema-decay", "1.5"}, "-model-ema-decay 1.5:"},
		{[]string{"-lr-min", "1"}, "-lr-min 1:"},
		{[]string{"-lr-warmup-decay", "0", "-lr-warmup-epochs", "1", "-lr-warmup-method", "linear"}, "-lr-warmup-decay 0:"},
		{[]string{"-lr-warmup-decay", "1.5", "-lr-warmup-epochs", "1"}, "-lr-warmup-decay 1.5:"},
		{[]string{"-lr-warmup-method", "cosine"}, "-lr-warmup-method"},
		{[]string{"-lr-milestones", "3,1", "-lr-scheduler", "multisteplr"}, "-lr-milestones 3,1:"},
		{[]string{"-data", "/some/folder"}, "-data /some/folder: -dataset builtin"},
		{[]string{"-val-crop-size", "40", "-val-resize-size", "30"}, "-val-crop-size 40: larger than -val-resize-size 30"},
		{[]string{"-dataset", "folder", "-data", "x", "-val-crop-size", "300"}, "-val-crop-size 300: larger than -val-resize-size 256"},
		{[]string{"-limit", "-5"}, "-limit -5"},
	}...) {
		f, err := parse(t, tc.args...)
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.config()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want one mentioning %q", tc.args, err, tc.want)
		}
	}
}

// TestRecipeHelpNamesEveryDataset checks that a recipe flag's usage says
// what zero means for every dataset, each once, and agrees with the recipe.
func TestRecipeHelpNamesEveryDataset(t *testing.T) {
	help := recipeHelp("epochs to train", "0", func(c train.Config) any { return c.Epochs })
	for _, name := range train.Datasets() {
		c := train.DefaultConfig()
		c.Dataset = name
		re := regexp.MustCompile(`(^|[:;] )` + strconv.Itoa(c.DatasetDefaults().Epochs) + ` for [a-z0-9, -]*\b` + regexp.QuoteMeta(name) + `\b`)
		if !re.MatchString(help) {
			t.Errorf("usage %q does not give %s's %d epochs", help, name, c.DatasetDefaults().Epochs)
		}
	}
}

func TestJoinIntsRoundTrips(t *testing.T) {
	for _, v := range [][]int{nil, {82}, {82, 123}} {
		back, err := parseInts("-lr-milestones", joinInts(v))
		if err != nil || !slices.Equal(back, v) {
			t.Errorf("%v -> %q -> %v, %v", v, joinInts(v), back, err)
		}
	}
}
