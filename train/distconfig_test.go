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
	if got := (DistConfig{}).timeout(); got != DefaultDistTimeout {
		t.Errorf("zero timeout means %v, want %v", got, DefaultDistTimeout)
	}
}
