package main

import (
	"io"
	"os"
	"strings"
	"testing"
)

// recipeFlags parses args as the command does and returns its flags and
// the error of checking their configuration.
func recipeFlags(t *testing.T, args ...string) (*commandFlags, error) {
	t.Helper()
	f, err := parseArgs(args, io.Discard)
	if err != nil {
		return nil, err
	}
	cfg, err := f.train.config()
	if err != nil {
		return nil, err
	}
	return f, f.dist.check(&cfg)
}

// TestRecipesAreValid checks that every recipe's flags parse and make a
// valid configuration, given the dataset folder it needs.
func TestRecipesAreValid(t *testing.T) {
	for _, r := range recipes {
		if _, err := recipeFlags(t, "-recipe", r.name, "-data", t.TempDir()); err != nil {
			t.Errorf("-recipe %s: %v", r.name, err)
		}
	}
}

// TestRecipeFlagsOverride checks that a recipe sets its flags, that the
// flags given override them wherever they stand, and the -recipe=NAME form.
func TestRecipeFlagsOverride(t *testing.T) {
	f, err := recipeFlags(t, "-lr", "0.05", "-recipe", "resnet110-he2016", "-data", "/cifar")
	if err != nil {
		t.Fatal(err)
	}
	c := f.train.cfg
	if c.Model != "resnet110" || c.Epochs != 164 || c.LR != 0.05 || c.LRWarmupEpochs != 1 || c.LRWarmupDecay != 0.1 || c.Dataset != "cifar10" {
		t.Errorf("resnet110-he2016 with -lr 0.05: model %s, epochs %d, lr %v, warm-up %d at %v, dataset %s",
			c.Model, c.Epochs, c.LR, c.LRWarmupEpochs, c.LRWarmupDecay, c.Dataset)
	}
	f, err = recipeFlags(t, "-recipe=resnet50-torchvision-v2", "-epochs", "20", "-data", "/imagenet")
	if err != nil {
		t.Fatal(err)
	}
	c = f.train.cfg
	if c.Epochs != 20 || c.MixupAlpha != 0.2 || c.CutmixAlpha != 1 || !c.ModelEMA || *c.NormWeightDecay != 0 || c.Augment.AutoAugment != "ta_wide" {
		t.Errorf("resnet50-torchvision-v2 with -epochs 20: %+v", c)
	}
	for _, args := range [][]string{{"-recipe"}, {"-recipe", "resnet51-torchvision"}} {
		if _, err := recipeFlags(t, args...); err == nil || !strings.Contains(err.Error(), "-recipe") {
			t.Errorf("%v: error %v, want one naming -recipe", args, err)
		}
	}
}

// TestREADMEListsRecipes checks that the README documents every recipe
// with its flags.
func TestREADMEListsRecipes(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recipes {
		if !strings.Contains(string(readme), "`"+r.name+"`") || !strings.Contains(string(readme), r.flags) {
			t.Errorf("README.md does not list recipe %s with its flags %q", r.name, r.flags)
		}
	}
}
