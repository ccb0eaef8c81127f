//go:build cuda

package cuda

import (
	"fmt"

	"github.com/gocnn/gocnn/autograd"
	"gorgonia.org/cu"
)

// CopyPeer copies src, a buffer of backend from, into dst, a buffer of
// backend to, device to device (over NVLink or PCIe; the driver stages
// through the host when the GPUs cannot reach each other), after the work
// already queued on both and before any queued later. Both buffers have
// one length and dtype; from and to may be the same backend.
func CopyPeer(to *Backend, dst autograd.Buffer, from *Backend, src autograd.Buffer) {
	s := from.dev("CopyPeer", src, src.DType())
	d := to.dev("CopyPeer", dst, s.dt)
	mustLen("CopyPeer", s.n, d.n)
	if s.n == 0 {
		return
	}
	if to == from {
		to.Copy(dst, src)
		return
	}
	// Lock the two backends in ordinal order so that concurrent copies in
	// both directions cannot deadlock.
	first, second := from, to
	if first.ordinal > second.ordinal {
		first, second = second, first
	}
	leave := first.enter()
	defer leave()
	second.mu.Lock()
	defer second.mu.Unlock()
	if err := cu.SetCurrentContext(to.ctx); err != nil {
		panic(wrap(to, "CopyPeer", "", err))
	}
	to.sync("CopyPeer")
	if err := cu.SetCurrentContext(from.ctx); err != nil {
		panic(wrap(from, "CopyPeer", "", err))
	}
	err := cu.MemcpyPeerAsync(d.ptr, to.ctx, s.ptr, from.ctx, s.bytes(), from.stream)
	if err != nil {
		panic(wrap(from, "CopyPeer", "cuMemcpyPeerAsync", fmt.Errorf("to %s: %w", to.name, err)))
	}
	// The destination's later kernels run on its own stream: wait here
	// rather than make one stream wait on the other's event, a cost paid
	// once per tensor that crosses devices.
	from.sync("CopyPeer")
}
