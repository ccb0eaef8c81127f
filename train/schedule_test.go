package train

import "testing"

// TestDefaultWarmupIsTorchvisions checks that -lr-warmup-epochs alone
// warms up as torchvision's train.py does by default (--lr-warmup-method
// constant, --lr-warmup-decay 0.01): -lr times 0.01 for every step of the
// warmup epochs, then the main schedule from -lr.
func TestDefaultWarmupIsTorchvisions(t *testing.T) {
	cfg := DefaultConfig().DatasetDefaults()
	cfg.LRWarmupEpochs = 1
	const steps = 10
	s, err := schedule(&cfg, steps)
	if err != nil {
		t.Fatal(err)
	}
	for step := range steps {
		if got, want := s.LR(step), cfg.LR*0.01; got != want {
			t.Errorf("step %d of the warmup: lr %v, want %v", step, got, want)
		}
	}
	if got := s.LR(steps); got != cfg.LR {
		t.Errorf("first step after the warmup: lr %v, want -lr %v", got, cfg.LR)
	}
}
