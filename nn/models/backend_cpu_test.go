//go:build !cuda

package models

import (
	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/cpu"
)

// trainBackend is the backend TestTrainingLowersLoss trains on: the CPU
// here, GPU 0 in the cuda build (backend_cuda_test.go).
func trainBackend() autograd.Backend { return cpu.New(0) }
