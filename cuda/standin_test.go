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

// TestActivityMatchesStandIn checks the backend's own count of launches
// and host-blocking calls, which a real GPU reports too, against the
// stand-in's: uploads that do not wait, a reduction, a download that
// does, a timer, and emptying the cache (each cuMemFree waits).
func TestActivityMatchesStandIn(t *testing.T) {
	if !IsStandIn() {
		t.Skip("compares with the stand-in device's counters")
	}
	buf := gpu.Alloc(autograd.Float32, 1000)
	sum := gpu.Alloc(autograd.Float32, 1)
	gpu.Synchronize()
	ResetStandIn()
	before := gpu.Activity()
	for range 3 {
		gpu.WriteFloat32(buf, make([]float32, 1000))
	}
	gpu.Fill(buf, 1)
	gpu.Sum(buf, sum)
	timer, err := gpu.NewTimer()
	if err != nil {
		t.Fatal(err)
	}
	timer.Start()
	gpu.Fill(buf, 2)
	timer.Stop()
	if err := timer.Close(); err != nil {
		t.Fatal(err)
	}
	if got := download(gpu, sum)[0]; got != 1000 {
		t.Errorf("sum of 1000 ones = %g", got)
	}
	gpu.Free(buf)
	gpu.Free(sum)
	gpu.EmptyCache()
	after := gpu.Activity()
	c, _ := ReadStandIn(gpu.Ordinal())
	got := Activity{Launches: after.Launches - before.Launches, Syncs: after.Syncs - before.Syncs}
	if got.Launches != c.Launches || got.Syncs != c.Syncs {
		t.Errorf("the backend counted %+v, the stand-in %d launches and %d host syncs", got, c.Launches, c.Syncs)
	}
	if got.Launches != 4 || got.Syncs < 4 {
		t.Errorf("counted %+v: want 4 launches (2 fills, 2 for the sum) and at least 4 host waits (timer, download, synchronize and free before emptying)", got)
	}
}
