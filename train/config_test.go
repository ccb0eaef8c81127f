package train

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gocnn/gocnn/data"
)

// TestDatasetDefaults checks that fields left zero take the dataset's
// recipe and that values given explicitly are kept.
func TestDatasetDefaults(t *testing.T) {
	type fields struct {
		epochs, batch, limit int
		opt                  string
		lr                   float64
		scheduler            string
		milestones           string
	}
	got := func(c Config) fields {
		c = c.DatasetDefaults()
		return fields{c.Epochs, c.Batch, c.Limit, c.Opt, c.LR, c.LRScheduler, fmt.Sprint(c.LRMilestones)}
	}
	on := func(dataset string) Config {
		c := DefaultConfig()
		c.Dataset = dataset
		return c
	}
	explicit := on("cifar10")
	explicit.Epochs, explicit.Batch, explicit.Limit, explicit.Opt, explicit.LR = 2, 4, -1, "adamw", 0.5
	explicit.LRScheduler, explicit.LRMilestones = "multisteplr", []int{1}
	custom := on("builtin-seg")
	custom.TrainSet = &data.Memory{}
	for _, tc := range []struct {
		name string
		cfg  Config
		want fields
	}{
		{"builtin", DefaultConfig(), fields{3, 32, 0, "sgd", 0.05, "cosineannealinglr", "[]"}},
		{"builtin-seg", on("builtin-seg"), fields{6, 8, 500, "adamw", 3e-4, "cosineannealinglr", "[]"}},
		{"cifar10: He et al.", on("cifar10"), fields{164, 128, 0, "sgd", 0.1, "multisteplr", "[82 123]"}},
		{"folder: torchvision classification", on("folder"), fields{90, 32, 0, "sgd", 0.1, "steplr", "[]"}},
		{"voc: torchvision segmentation", on("voc"), fields{30, 8, 0, "sgd", 0.01, "polynomiallr", "[]"}},
		{"every field given", explicit, fields{2, 4, -1, "adamw", 0.5, "multisteplr", "[1]"}},
		{"own datasets take the default recipe", custom, fields{3, 32, 0, "sgd", 0.05, "cosineannealinglr", "[]"}},
	} {
		if g := got(tc.cfg); g != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, g, tc.want)
		}
	}
	// The recipe's milestones are copied, not shared.
	a := on("cifar10").DatasetDefaults()
	a.LRMilestones[0] = 1
	if b := on("cifar10").DatasetDefaults(); b.LRMilestones[0] != 82 {
		t.Errorf("changing one run's milestones changed the recipe: %v", b.LRMilestones)
	}
}

// TestValidateChecksTheRecipe checks that Validate accepts the fields the
// recipe fills and still rejects bad explicit ones, without changing the
// configuration it checks.
func TestValidateChecksTheRecipe(t *testing.T) {
	c := DefaultConfig()
	c.Dataset = "builtin-seg"
	if err := c.Validate(); err != nil {
		t.Fatalf("default builtin-seg config: %v", err)
	}
	if c.Opt != "" || c.LR != 0 || c.Epochs != 0 {
		t.Errorf("Validate filled the recipe into its receiver: %+v", c)
	}
	c.LR = -1
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "-lr -1") {
		t.Errorf("-lr -1: error %v, want one naming -lr", err)
	}
	c.LR, c.LRWarmupEpochs = 0, 6
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "-epochs 6") {
		t.Errorf("6 warmup epochs of builtin-seg's 6: error %v, want one naming -epochs 6", err)
	}
}
