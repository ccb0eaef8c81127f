package main

import "testing"

// TestOptionalWeightDecayFlags checks that -norm-weight-decay and
// -bias-weight-decay are unset unless given, that 0 is a value of its own,
// and that the empty value a checkpoint records for an unset one (read
// back on -resume) unsets them.
func TestOptionalWeightDecayFlags(t *testing.T) {
	f, err := parse(t)
	if err != nil {
		t.Fatal(err)
	}
	if f.cfg.NormWeightDecay != nil || f.cfg.BiasWeightDecay != nil {
		t.Errorf("unset flags give %v and %v, want nil", f.cfg.NormWeightDecay, f.cfg.BiasWeightDecay)
	}
	f, err = parse(t, "-norm-weight-decay", "0", "-bias-weight-decay", "2e-5", "-clip-grad-norm", "1")
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.config()
	if err != nil {
		t.Fatal(err)
	}
	if c.NormWeightDecay == nil || *c.NormWeightDecay != 0 || c.BiasWeightDecay == nil || *c.BiasWeightDecay != 2e-5 || c.ClipGradNorm != 1 {
		t.Errorf("config holds %v, %v, %v, want 0, 2e-05, 1", c.NormWeightDecay, c.BiasWeightDecay, c.ClipGradNorm)
	}
	f, err = parse(t, "-norm-weight-decay", "0", "-norm-weight-decay=")
	if err != nil || f.cfg.NormWeightDecay != nil {
		t.Errorf("-norm-weight-decay= leaves %v (%v), want it unset", f.cfg.NormWeightDecay, err)
	}
	if _, err := parse(t, "-bias-weight-decay", "x"); err == nil {
		t.Error("-bias-weight-decay x is accepted")
	}
}
