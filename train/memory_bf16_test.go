package train

import "testing"

// TestBF16StepMemory counts, on the shape-only backend, the most memory a
// ResNet-50 training step at batch 128 on 224x224 images holds with -amp
// fp32 and with -amp bf16, which stores activations in bfloat16: bf16's
// must be at most maxBF16StepRatio of fp32's. Not a half: the parameters,
// their gradients and momentum stay Float32 (3 x 98 MiB), so do the
// gradients flowing back, and while a layer's backward runs, the kernels
// that do not read bf16 themselves (convolutions, pooling) read Float32
// copies of the bf16 tensors they need.
func TestBF16StepMemory(t *testing.T) {
	in := input{classes: 1000, channels: 3, h: 224, w: 224}
	var need [2]int64
	for i, amp := range []string{"fp32", "bf16"} {
		cfg := DefaultConfig().DatasetDefaults()
		cfg.Model, cfg.Batch, cfg.AMP = "resnet50", 128, amp
		n, err := stepMemory(&cfg, in)
		if err != nil {
			t.Fatal(err)
		}
		need[i] = n
	}
	ratio := float64(need[1]) / float64(need[0])
	t.Logf("ResNet-50, batch 128, 224x224: %.0f MiB a step at fp32, %.0f MiB at bf16 (%.3f)", float64(need[0])/(1<<20), float64(need[1])/(1<<20), ratio)
	if ratio > maxBF16StepRatio {
		t.Errorf("-amp bf16 needs %.3f of -amp fp32's step memory, want at most %.3f", ratio, maxBF16StepRatio)
	}
}

// maxBF16StepRatio bounds TestBF16StepMemory's ratio. It measured 0.627
// (12,594 MiB and 7,902 MiB) when bf16 activations came, every op
// widening its inputs into Float32 copies, and 0.581 (7,313 MiB) once
// batch norm, activations and additions read and wrote bf16 themselves.
const maxBF16StepRatio = 0.6
