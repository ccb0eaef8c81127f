package backendtest

import (
	"sort"
	"testing"

	"github.com/gocnn/gocnn/autograd"
)

// opTests maps a test name to the function that checks one op family.
var opTests = map[string]func(t *testing.T, dev *autograd.Device){}

// register adds an op family to the suite; each test file registers its own.
func register(name string, test func(t *testing.T, dev *autograd.Device)) bool {
	if _, dup := opTests[name]; dup {
		panic("backendtest: " + name + " registered twice")
	}
	opTests[name] = test
	return true
}

// Run checks every op on backends made by newBackend, one fresh backend per
// op family, each wrapped so that its allocations are poisoned.
func Run(t *testing.T, newBackend func() autograd.Backend) {
	names := make([]string, 0, len(opTests))
	for name := range opTests {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			opTests[name](t, autograd.NewDevice(Poisoned(newBackend())))
		})
	}
}
