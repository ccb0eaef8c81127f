package cpu

import (
	"fmt"
	"runtime"

	"github.com/gocnn/gocnn/autograd"
)

var _ autograd.Backend = (*Backend)(nil)

// Backend runs kernels on the host's cores.
type Backend struct {
	name      string
	workers   int
	free      freeList
	precision autograd.Precision // of convolutions and GEMMs; see SetPrecision
	winograd  winogradRule       // which 3x3 convolutions use Winograd; see useWinograd
	wideFrom  int                // filters from which Winograd runs its whole-batch schedule; see winogradWideFrom
}

// New returns a backend using workers goroutines per kernel; workers < 1
// means runtime.GOMAXPROCS(0).
func New(workers int) *Backend {
	if workers < 1 {
		workers = runtime.GOMAXPROCS(0)
	}
	return &Backend{name: "cpu", workers: workers, wideFrom: winogradWideFrom}
}

// NewNamed returns a backend like New whose Name is name, for logical
// devices that share the host ("cpu:1").
func NewNamed(name string, workers int) *Backend {
	b := New(workers)
	b.name = name
	return b
}

// Name returns "cpu" or the name given to NewNamed.
func (b *Backend) Name() string { return b.name }

// Workers returns the number of goroutines a kernel uses.
func (b *Backend) Workers() int { return b.workers }

func (b *Backend) String() string { return fmt.Sprintf("%s(%d workers)", b.name, b.workers) }
