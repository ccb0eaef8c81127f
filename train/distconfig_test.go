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

// TestDistConfigProcesses checks the settings of training across
// processes (what cmd/train's -world-size, -rank and -dist-url set), on
// DistConfig's own checks: -gpus is refused earlier on the CPU build.
func TestDistConfigProcesses(t *testing.T) {
	for _, c := range []struct {
		d    DistConfig
		gpus []int
		edit func(*Config)
		err  string // "" for none
	}{
		{DistConfig{}, nil, nil, ""},
		{DistConfig{WorldSize: 1}, nil, nil, ""},
		{DistConfig{WorldSize: 2, Rank: 1, URL: "tcp://10.0.0.1:29500"}, []int{0, 1}, nil, ""},
		{DistConfig{WorldSize: 2, URL: "tcp://h:1", SyncBN: true}, []int{0}, nil, ""},
		{DistConfig{WorldSize: -1}, nil, nil, "-world-size -1"},
		{DistConfig{WorldSize: 2, Rank: 2, URL: "tcp://h:1"}, []int{0}, nil, "-rank 2: must be in 0..1"},
		{DistConfig{Rank: -1}, nil, nil, "-rank -1"},
		{DistConfig{Rank: 1}, nil, nil, "-rank 1: must be in 0..0"},
		{DistConfig{WorldSize: 2}, []int{0}, nil, "needs -dist-url"},
		{DistConfig{WorldSize: 2, URL: "tcp://h:1"}, nil, nil, "-world-size 2 needs -gpus"},
		{DistConfig{URL: "http://h:1"}, nil, nil, "want tcp://host:port"},
		{DistConfig{WorldSize: 2, URL: "tcp://h:1", Split: true}, []int{0, 1}, func(c *Config) { c.Model = "alexnet2012" }, "runs in one process"},
		{DistConfig{WorldSize: 2, URL: "tcp://h:1"}, []int{0}, func(c *Config) { c.Bench = true }, "-bench measures one process"},
		{DistConfig{WorldSize: 2, URL: "tcp://h:1"}, []int{0}, func(c *Config) { c.EvalOnly = true }, "-eval-only evaluates in one process"},
	} {
		cfg := DefaultConfig()
		cfg.Dist, cfg.GPUs = c.d, c.gpus
		if c.edit != nil {
			c.edit(&cfg)
		}
		err := cfg.Dist.validate(&cfg)
		if (err == nil) != (c.err == "") || (err != nil && !strings.Contains(err.Error(), c.err)) {
			t.Errorf("%+v on -gpus %v: %v; want %q", c.d, c.gpus, err, c.err)
		}
	}
}
