//go:build cuda

package train

import (
	"testing"

	"github.com/gocnn/gocnn/cuda"
)

// TestRunReleasesGPU trains briefly on GPU 0 and checks that Run gives the
// device back when it returns: a program that trains twice must not find
// the first run's memory still held. The stand-in device frees a context's
// memory with the context, as the driver does, so nothing may stay
// allocated.
func TestRunReleasesGPU(t *testing.T) {
	if !cuda.IsStandIn() {
		t.Skip("reads the stand-in device's counters")
	}
	cfg := tinyConfig(t, 16)
	cfg.GPUs, cfg.Epochs, cfg.LRWarmupEpochs = []int{0}, 1, 0
	run(t, cfg)
	c, _ := cuda.ReadStandIn(0)
	if c.MemInUse != 0 || c.Launches == 0 {
		t.Errorf("after Run: %d launches, %d bytes of device memory still allocated; want some launches and none",
			c.Launches, c.MemInUse)
	}
}
