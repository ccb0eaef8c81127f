package cpu_test

import (
	"fmt"
	"testing"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/autograd/backendtest"
	"github.com/gocnn/gocnn/cpu"
)

// TestBackend runs the shared suite with several worker counts: results
// must not depend on how the work is split.
func TestBackend(t *testing.T) {
	for _, workers := range []int{1, 3} {
		t.Run(fmt.Sprintf("workers=%d", workers), func(t *testing.T) {
			backendtest.Run(t, func() autograd.Backend { return cpu.New(workers) })
		})
	}
}
