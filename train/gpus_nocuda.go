//go:build !cuda

package train

import "fmt"

// errNoGPUs is -gpus's error in a build without CUDA.
func errNoGPUs(ids []int) error {
	return fmt.Errorf("-gpus %v: this train was built without CUDA; build the GPU variant with `go build -tags cuda ./cmd/train` on a machine with the CUDA toolkit and an NVIDIA GPU", ids)
}
