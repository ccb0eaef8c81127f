package train

import (
	"errors"
	"fmt"
	"testing"

	"github.com/gocnn/gocnn/autograd"
)

// TestMemoryError turns an out-of-memory failure into the line naming the
// model, the batch and what a step needs, which grows with the batch; any
// other error passes unchanged.
func TestMemoryError(t *testing.T) {
	cfg := DefaultConfig().DatasetDefaults()
	in := input{classes: 10, channels: 1, h: 28, w: 28}
	small, err := stepMemory(&cfg, in)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Batch *= 2
	big, err := stepMemory(&cfg, in)
	if err != nil {
		t.Fatal(err)
	}
	if !(small > 0 && big > small && big < 2*small) {
		t.Errorf("a step needs %d bytes at batch %d and %d at twice that: want more, less than double (the weights do not grow)",
			small, cfg.Batch/2, big)
	}
	oom := fmt.Errorf("cpu: %w", &autograd.OutOfMemoryError{Device: "gpu:3", Bytes: 1 << 20, InUse: 15 << 30, Capacity: 16 << 30})
	got := memoryError(oom, &cfg, in).Error()
	want := fmt.Sprintf("resnet20 at -batch %d (28x28 images) needs %.0f MiB of device memory for a training step; gpu:3: out of memory: 1048576 bytes with 15360 MiB in use of 16384 MiB",
		cfg.Batch, float64(big)/(1<<20))
	if got != want {
		t.Errorf("memoryError:\n%s\nwant\n%s", got, want)
	}
	other := errors.New("disk full")
	if memoryError(other, &cfg, in) != other {
		t.Error("memoryError changed an error that is not out of memory")
	}
}
