//go:build cuda

package train

import "fmt"

// errNoGPUs is -gpus's error until the CUDA backend is wired into Run.
func errNoGPUs(ids []int) error {
	return fmt.Errorf("-gpus %v: the training loop does not drive the CUDA backend yet; use -devices for CPU data parallel", ids)
}
