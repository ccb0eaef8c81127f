// Package backendtest is the test suite every autograd.Backend runs, in the
// manner of gonum's testblas: a backend's own test calls Run with a
// constructor, and every differentiable op is checked on that backend.
//
// Each op is checked on random inputs of several shapes, odd sizes included:
// its forward against a float64 reference written naively in this package,
// its backward against float64 central differences of that reference, with
// every buffer the backend allocates poisoned with NaN first (so an output
// element left unwritten fails), and its inputs checked unchanged afterwards.
// Tolerances are |got - want| <= atol + rtol*|want|.
package backendtest
