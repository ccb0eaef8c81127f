//go:build !cuda

package train

import (
	"fmt"

	"github.com/gocnn/gocnn/autograd"
)

// DefaultGPUs is the -gpus of a run that names none: none without CUDA.
func DefaultGPUs() []int { return nil }

// checkGPUs rejects -gpus in a build without CUDA.
func checkGPUs(ids []int) error {
	if len(ids) == 0 {
		return nil
	}
	return fmt.Errorf("-gpus %v: this train was built without CUDA; build the GPU variant with `go build -tags cuda ./cmd/train` on a machine with the CUDA toolkit and an NVIDIA GPU", ids)
}

func gpuBackend(id int) (autograd.Backend, error) {
	return nil, fmt.Errorf("gpu %d: this train was built without CUDA", id)
}

// peakMemory is "": CPU replicas have no device memory to report.
func peakMemory([]*replica) string { return "" }
