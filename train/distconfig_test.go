package train

import (
	"strings"
	"testing"
	"time"
)

func TestDistConfigValidate(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Dist.Timeout = -time.Second
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "-dist-timeout -1s") {
		t.Errorf("negative timeout: %v", err)
	}
	for _, d := range []time.Duration{0, time.Second} {
		cfg.Dist.Timeout = d
		if err := cfg.Validate(); err != nil {
			t.Errorf("timeout %v: %v", d, err)
		}
	}
	cfg.Dist.SyncBN = true
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "-sync-bn") {
		t.Errorf("-sync-bn on one device: %v", err)
	}
	cfg.Devices = 2
	if err := cfg.Validate(); err != nil {
		t.Errorf("-sync-bn on two devices: %v", err)
	}
	for _, c := range []struct {
		model   string
		devices int
		syncBN  bool
		err     string
	}{
		{"alexnet2012", 2, false, ""},
		{"alexnet", 2, false, "-split: only -model alexnet2012"},
		{"alexnet2012", 1, false, "-split needs two devices"},
		{"alexnet2012", 3, false, "-split needs two devices"},
		{"alexnet2012", 2, true, "-sync-bn: alexnet2012"},
	} {
		cfg := DefaultConfig()
		cfg.Model, cfg.Devices, cfg.Dist.Split, cfg.Dist.SyncBN = c.model, c.devices, true, c.syncBN
		err := cfg.Validate()
		if (err == nil) != (c.err == "") || (err != nil && !strings.Contains(err.Error(), c.err)) {
			t.Errorf("-split with %+v: %v, want %q", c, err, c.err)
		}
	}
	if got := (DistConfig{}).timeout(); got != DefaultDistTimeout {
		t.Errorf("zero timeout means %v, want %v", got, DefaultDistTimeout)
	}
}
