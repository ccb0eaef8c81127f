package train

import (
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
	}
	got := func(c Config) fields {
		c = c.DatasetDefaults()
		return fields{c.Epochs, c.Batch, c.Limit, c.Opt, c.LR}
	}
	builtin := DefaultConfig()
	seg := DefaultConfig()
	seg.Dataset = "builtin-seg"
	explicit := seg
	explicit.Epochs, explicit.Batch, explicit.Limit, explicit.Opt, explicit.LR = 2, 4, -1, "sgd", 0.1
	custom := DefaultConfig()
	custom.Dataset, custom.TrainSet = "builtin-seg", &data.Memory{}
	for _, tc := range []struct {
		name string
		cfg  Config
		want fields
	}{
		{"builtin", builtin, fields{3, 32, 0, "sgd", 0.05}},
		{"builtin-seg", seg, fields{6, 8, 500, "adamw", 3e-4}},
		{"builtin-seg, every field given", explicit, fields{2, 4, -1, "sgd", 0.1}},
		{"own datasets take the default recipe", custom, fields{3, 32, 0, "sgd", 0.05}},
	} {
		if g := got(tc.cfg); g != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, g, tc.want)
		}
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
