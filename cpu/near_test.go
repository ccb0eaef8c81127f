package cpu_test

import (
	"math"
	"testing"
)

// near fails t unless got matches want within the oracle tolerance.
func near(t *testing.T, what string, got []float32, want []float64) {
	t.Helper()
	const atol, rtol = 1e-4, 1e-4
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	bad := 0
	for i, g := range got {
		if d := math.Abs(float64(g) - want[i]); d > atol+rtol*math.Abs(want[i]) {
			if bad < 5 {
				t.Errorf("%s: element %d = %g, want %g", what, i, g, want[i])
			}
			bad++
		}
	}
	if bad > 5 {
		t.Errorf("%s: %d of %d elements differ", what, bad, len(got))
	}
}
