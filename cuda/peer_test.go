//go:build cuda

package cuda

import (
	"slices"
	"testing"

	"github.com/gocnn/gocnn/autograd"
)

// TestCopyPeerOrdering checks CopyPeer's two event orderings between GPU 0
// and GPU 1 (two stand-in devices): the copy reads what the source's
// stream wrote last (a fill queued behind a long computation there, into
// memory the stand-in poisons with NaN), and the source's stream does not
// overwrite the buffer (a later fill) before the copy, held back behind a
// long computation on the destination, has read it. Neither blocks the
// host, by the stand-in's count (but in debug mode, which waits after
// every copy). Peer access is enabled first.
func TestCopyPeerOrdering(t *testing.T) {
	other := secondGPU(t)
	if ok, err := EnablePeerAccess(gpu, other); !ok || err != nil {
		t.Fatalf("EnablePeerAccess: %v, %v; the stand-in's devices reach each other", ok, err)
	}
	for _, c := range []struct {
		name   string
		slowOn *Backend
	}{{"source busy", gpu}, {"destination busy", other}} {
		const n = 1000
		src, dst := gpu.Alloc(autograd.Float32, n), other.Alloc(autograd.Float32, n)
		slow := busy(c.slowOn)
		gpu.Fill(src, 3)
		before, _ := ReadStandIn(0)
		CopyPeer(other, dst, gpu, src)
		gpu.Fill(src, 7)
		after, _ := ReadStandIn(0)
		if IsStandIn() && !gpu.debug && after.Syncs != before.Syncs {
			t.Errorf("%s: CopyPeer blocked the host %d times", c.name, after.Syncs-before.Syncs)
		}
		got := download(other, dst)
		if i := slices.IndexFunc(got, func(v float32) bool { return v != 3 }); i >= 0 {
			t.Errorf("%s: element %d copied as %v, want 3 (written before the copy, overwritten after it)", c.name, i, got[i])
		}
		c.slowOn.Free(slow)
		gpu.Free(src)
		other.Free(dst)
	}
}

// TestCopyToPeer checks the autograd.PeerCopier side: a copy to another
// cuda backend, and a refusal for a backend of another kind.
func TestCopyToPeer(t *testing.T) {
	other := secondGPU(t)
	src := upload(t, gpu, []float32{1, 2, 3})
	defer gpu.Free(src)
	dst := other.Alloc(autograd.Float32, 3)
	defer other.Free(dst)
	if !gpu.CopyToPeer(other, dst, src) {
		t.Fatal("CopyToPeer refused another cuda backend")
	}
	allClose(t, "CopyToPeer", download(other, dst), []float32{1, 2, 3}, 0, 0)
	if gpu.CopyToPeer(nil, dst, src) {
		t.Error("CopyToPeer accepted a backend that is not a cuda one")
	}
}
