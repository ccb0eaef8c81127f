package backendtest

import (
	"slices"
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
func Run(t *testing.T, newBackend func() autograd.Backend) { RunExcept(t, newBackend) }

// RunExcept runs the suite like Run but reports the op families named in
// skip as skipped, for a backend that does not implement them yet. It
// fails when a name in skip is not a registered family, so a typo cannot
// hide a family.
func RunExcept(t *testing.T, newBackend func() autograd.Backend, skip ...string) {
	for _, s := range skip {
		if _, ok := opTests[s]; !ok {
			t.Fatalf("backendtest: RunExcept: no op family %q", s)
		}
	}
	names := make([]string, 0, len(opTests))
	for name := range opTests {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			if slices.Contains(skip, name) {
				t.Skip("not implemented by this backend yet")
			}
			opTests[name](t, autograd.NewDevice(Poisoned(newBackend())))
		})
	}
}
