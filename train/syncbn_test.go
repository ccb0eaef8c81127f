package train

import (
	"math"
	"testing"
)

// TestSyncBNMatchesOneDevice checks that two CPU devices with -sync-bn at
// batch b take the same three steps, batch norm in training mode, as one
// device at batch 2b: the same weights and running statistics. Their batch
// statistics go through host memory (autograd.HostChannelSums).
//
// Each step starts from one state (see sameSteps), and each parameter
// tensor must stay within 5% of the one-device tensor's norm, not within
// an elementwise rounding bound: the two devices' statistics are summed
// in another order, so the normalised activations differ by rounding, and
// now and then one of them crosses a ReLU's kink and moves a few hundred
// weights by up to ten times that bound. Measured over six sets of random
// images, three steps each (18 steps): ||got-want||/||want|| at most 1.8e-6
// in 15 steps, 2.7e-3 to 7.5e-3 in the 3 with such a crossing; each device
// normalising its own half of the batch, as without -sync-bn, gives 0.74
// to 1.27.
func TestSyncBNMatchesOneDevice(t *testing.T) {
	const b = 4
	one := randomConfig(t, 32)
	one.Batch = 2 * b
	two := one
	two.Batch, two.Devices, two.Dist.SyncBN = b, 2, true
	r, o := newStepper(t, one, false), newStepper(t, two, false)
	for step := range 3 {
		if step > 0 {
			o.takeState(t, r)
		}
		r.step(t)
		o.step(t)
		closeInNorm(t, o.params(), r.params(), 0.05)
	}
}

// closeInNorm fails unless every parameter of got is within rel of want's
// in the Euclidean norm: ||got-want|| <= rel*||want||.
func closeInNorm(t *testing.T, got, want map[string][]float32, rel float64) {
	t.Helper()
	for name, w := range want {
		g := got[name]
		if len(g) != len(w) {
			t.Fatalf("%s: %d elements, want %d", name, len(g), len(w))
		}
		var d2, w2 float64
		for j := range w {
			d := float64(g[j]) - float64(w[j])
			d2, w2 = d2+d*d, w2+float64(w[j])*float64(w[j])
		}
		if !(d2 <= rel*rel*w2) {
			t.Fatalf("%s: ||got-want|| = %.3g, %.3g of ||want||", name, math.Sqrt(d2), math.Sqrt(d2/w2))
		}
	}
}
