package train

import (
	"math"
	"strings"
	"testing"
)

// TestClipGradNorm checks -clip-grad-norm on the first SGD step (no
// momentum, no weight decay, so the step is -lr times the gradient): a
// norm above the limit scales every parameter's step by
// limit/(norm+1e-6), as optim.ClipGradNorm says, and a limit above the
// norm leaves the run bit-identical to one without clipping.
func TestClipGradNorm(t *testing.T) {
	cfg := randomConfig(t, 16)
	cfg.Opt, cfg.Momentum, cfg.WeightDecay = "sgd", 0, 0
	const lr = 0.05 // trainedParams' learning rate
	start := trainedParams(t, cfg, 0, true)
	plain := trainedParams(t, cfg, 1, true)
	var sq float64
	for name, p0 := range start {
		for j := range p0 {
			g := float64(p0[j]-plain[name][j]) / lr
			sq += g * g
		}
	}
	norm := math.Sqrt(sq)

	cfg.ClipGradNorm = norm / 4
	clipped := trainedParams(t, cfg, 1, true)
	coef := cfg.ClipGradNorm / (norm + 1e-6)
	for name, p0 := range start {
		if strings.Contains(name, "running_") {
			continue // buffers: batch norm is in evaluation mode
		}
		for j := range p0 {
			want := coef * float64(p0[j]-plain[name][j])
			got := float64(p0[j] - clipped[name][j])
			// The scaled gradient and the parameter after its step are
			// rounded to float32: the steps agree to a few units in the
			// last place of each.
			if d := math.Abs(got - want); d > 0x1p-22*(math.Abs(float64(p0[j]))+math.Abs(want)) {
				t.Fatalf("%s[%d]: clipped step %g, want %g (%g times the unclipped step)", name, j, got, want, coef)
			}
		}
	}

	cfg.ClipGradNorm = 2 * norm
	sameParams(t, trainedParams(t, cfg, 1, true), plain, 0, 0)
}
