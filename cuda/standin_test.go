//go:build cuda

package cuda

import (
	"testing"

	"github.com/gocnn/gocnn/autograd"
)

// TestStandInCounts checks that the stand-in's counters see the backend's
// work: one kernel per Fill, the bytes of each transfer, a host wait for a
// download. On a real driver there is nothing to read.
func TestStandInCounts(t *testing.T) {
	if !IsStandIn() {
		t.Skip("not the stand-in driver")
	}
	buf := gpu.Alloc(autograd.Float32, 1000)
	defer gpu.Free(buf)
	gpu.Synchronize()
	ResetStandIn()
	gpu.WriteFloat32(buf, make([]float32, 1000))
	gpu.Fill(buf, 1)
	got := download(gpu, buf)
	c, ok := ReadStandIn(gpu.Ordinal())
	if !ok {
		t.Fatal("ReadStandIn: no counters")
	}
	if c.Launches != 1 || c.HtoDBytes != 4000 || c.DtoHBytes != 4000 || c.Syncs < 1 {
		t.Errorf("counters %+v: want 1 launch, 4000 bytes each way, at least 1 host sync", c)
	}
	if c.MemPeak < c.MemInUse || c.MemInUse < 4000 {
		t.Errorf("memory %d in use, peak %d: want at least the 4000-byte buffer, peak >= in use", c.MemInUse, c.MemPeak)
	}
	if got[999] != 1 {
		t.Errorf("Fill wrote %g", got[999])
	}
	all, ok := ReadStandIn(-1)
	if !ok || all.Launches < c.Launches {
		t.Errorf("all devices %+v: fewer launches than device %d's %d", all, gpu.Ordinal(), c.Launches)
	}
	if _, ok := ReadStandIn(1 << 20); ok {
		t.Error("ReadStandIn of a device that does not exist succeeded")
	}
}
