package train

import "testing"

// TestSyncBNMatchesOneDevice checks that two CPU devices with -sync-bn at
// batch b take the same three steps, batch norm in training mode, as one
// device at batch 2b: the same weights and running statistics. Their batch
// statistics go through host memory (autograd.HostChannelSums).
//
// Each step starts from one state (see sameSteps), and the check is not
// an elementwise rounding bound (withinNorm): the two devices' statistics
// are summed in another order, so the normalised activations differ by
// rounding, and now and then one of them crosses a ReLU's kink and moves a
// few hundred weights by up to ten times that bound. Measured over six sets
// of random images, three steps each (18 steps): ||got-want||/||want|| at
// most 1.8e-6 in 15 steps, 2.7e-3 to 7.5e-3 in the 3 with such a crossing,
// which left 103 of 271,098 weights and buffers (0.04%) outside the
// elementwise bound. So each tensor, momentum buffers included, must be
// within 5% of its norm, and at most 1% of the weights and buffers outside
// the bound. Each device normalising its own half of the batch, as
// without -sync-bn, gives 0.74 to 1.27 of the norm; leaving the backward
// pass's two sums unsynced, 2.28 of a momentum buffer's norm and 93% of
// the weights outside the bound.
func TestSyncBNMatchesOneDevice(t *testing.T) {
	const b = 4
	one := randomConfig(t, 32)
	one.Batch = 2 * b
	two := one
	two.Batch, two.Devices, two.Dist.SyncBN = b, 2, true
	sameSteps(t, one, two, 3, false, withinNorm(t, 0.05, 0.01))
}
