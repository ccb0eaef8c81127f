//go:build cuda

package cuda

// Activity counts what a backend asked of the driver that costs a GPU
// time whatever its kernels do: launches, and calls that block the host
// until the device has caught up. The backend counts its own calls, so a
// real driver reports them as the stand-in's counters do (which see every
// caller of the device, and agree with these for a backend alone on it).
type Activity struct {
	// Launches counts kernel launches.
	Launches uint64
	// Syncs counts host-blocking calls: stream and event synchronisation,
	// and cuMemFree, which waits for the device's queued work.
	Syncs uint64
}

// Activity returns what b has counted since it was made.
func (b *Backend) Activity() Activity {
	defer b.enter()()
	a := b.activity
	a.Syncs += b.alloc.driverFrees
	return a
}
