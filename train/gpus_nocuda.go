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

// activity is what deviceActivity counts on the cuda build.
type activity struct{ Launches, Syncs uint64 }

// synchronize does nothing: CPU replicas compute as they are called.
func synchronize([]*replica) {}

// deviceActivity reports nothing: CPU replicas launch no kernels.
func deviceActivity([]*replica) (activity, bool) { return activity{}, false }

// devicePeak reports nothing: CPU replicas have no device memory.
func devicePeak([]*replica) (int64, bool) { return 0, false }

// standInNote is "": there is no stand-in device without CUDA.
func standInNote() string { return "" }

// newCommGroup returns nil: without CUDA the replicas average through
// host memory.
func newCommGroup(*Config, []*replica) (commGroup, error) { return nil, nil }

// enablePeerAccess does nothing: CPU devices share the host's memory.
func enablePeerAccess(_, _ *autograd.Device) (bool, error) { return true, nil }
