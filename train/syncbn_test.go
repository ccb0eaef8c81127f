package train

import "testing"

// TestSyncBNMatchesOneDevice checks that two CPU devices with -sync-bn at
// batch b take the same three steps, batch norm in training mode, as one
// device at batch 2b: the same weights and running statistics. Their batch
// statistics go through host memory (autograd.HostChannelSums).
//
// The tolerance is TestDataParallelMatchesOneDevice's, 1e-5 + 1e-4*|w|:
// float32 rounding of sums taken in another order. The weights stay within
// 0.005 of it here, where each device normalising its own half of the
// batch, as without -sync-bn, is 2700 times it.
func TestSyncBNMatchesOneDevice(t *testing.T) {
	const b = 4
	one := randomConfig(t, 32)
	one.Batch = 2 * b
	two := one
	two.Batch, two.Devices, two.Dist.SyncBN = b, 2, true
	sameParams(t, trainedParams(t, two, 3, false), trainedParams(t, one, 3, false), 1e-5, 1e-4)
}
