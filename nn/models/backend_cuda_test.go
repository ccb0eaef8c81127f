//go:build cuda

package models

import (
	"sync"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/cuda"
)

// trainBackend is GPU 0, shared by every model: a backend per model would
// load every kernel module again.
var trainBackend = sync.OnceValue(func() autograd.Backend {
	be, err := cuda.New(0, cuda.Options{})
	if err != nil {
		panic(err)
	}
	return be
})
