//go:build cuda

package train

import (
	"fmt"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/cuda"
)

// DefaultGPUs is the -gpus of a run that names none: GPU 0 on the cuda
// build.
func DefaultGPUs() []int { return []int{0} }

// checkGPUs accepts any -gpus on the cuda build; cuda.New reports a
// missing device when the replicas are built.
func checkGPUs([]int) error { return nil }

// gpuBackend returns the backend of GPU id.
func gpuBackend(id int) (autograd.Backend, error) { return cuda.New(id, cuda.Options{}) }

// peakMemory returns ", peak device memory N MiB", the largest peak of the
// replicas' GPU allocators, or "" for CPU replicas. On the stand-in device
// it says so: its timings are the CPU's, not a GPU's.
func peakMemory(reps []*replica) string {
	var peak int64 = -1
	for _, r := range reps {
		if g, ok := r.dev.Backend().(*cuda.Backend); ok {
			peak = max(peak, g.MemStats().Peak)
		}
	}
	if peak < 0 {
		return ""
	}
	note := ""
	if cuda.IsStandIn() {
		note = " (stand-in device: a CPU emulation, not a GPU speed)"
	}
	return fmt.Sprintf(", peak device memory %.0f MiB%s", float64(peak)/(1<<20), note)
}
