//go:build cuda

package cuda

import (
	"errors"
	"fmt"
	"unsafe"

	"github.com/gocnn/gocnn/autograd"
	"gorgonia.org/cu"
)

var _ autograd.PeerCopier = (*Backend)(nil)

// CopyPeer copies src, a buffer of backend from, into dst, a buffer of
// backend to, device to device, after the work already queued on both and
// before any queued later on either, without waiting on the host: the copy
// runs on to's stream once from's stream has produced src (an event), and
// from's stream waits for the copy (another event) before it may reuse
// src's memory. It goes over NVLink or PCIe when peer access is enabled
// (EnablePeerAccess), through host memory, staged by the driver, when it
// is not. Both buffers have one length and dtype; from and to may be the
// same backend.
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
	defer lockPair(from, to)()
	produced := from.eventOn("CopyPeer", from.stream)
	defer cu.DestroyEvent(&produced) // released once reached
	if err := cu.SetCurrentContext(to.ctx); err != nil {
		panic(wrap(to, "CopyPeer", "", err))
	}
	if err := to.stream.Wait(produced, 0); err != nil {
		panic(wrap(to, "CopyPeer", "cuStreamWaitEvent", err))
	}
	if err := cu.MemcpyPeerAsync(d.ptr, to.ctx, s.ptr, from.ctx, s.bytes(), to.stream); err != nil {
		panic(wrap(to, "CopyPeer", "cuMemcpyPeerAsync", fmt.Errorf("from %s: %w", from.name, err)))
	}
	copied := to.eventOn("CopyPeer", to.stream)
	defer cu.DestroyEvent(&copied)
	if err := cu.SetCurrentContext(from.ctx); err != nil {
		panic(wrap(from, "CopyPeer", "", err))
	}
	if err := from.stream.Wait(copied, 0); err != nil {
		panic(wrap(from, "CopyPeer", "cuStreamWaitEvent", err))
	}
	to.checkDebug("CopyPeer", "cuMemcpyPeerAsync")
}

// CopyToPeer copies src into dst, a buffer of another cuda backend, with
// CopyPeer; it reports false, copying nothing, for any other backend.
func (b *Backend) CopyToPeer(to autograd.Backend, dst, src autograd.Buffer) bool {
	t, ok := to.(*Backend)
	if ok {
		CopyPeer(t, dst, b, src)
	}
	return ok
}

// eventOn returns a new event recorded on stream s of b, whose context is
// current.
func (b *Backend) eventOn(op string, s cu.Stream) cu.Event {
	if err := cu.SetCurrentContext(b.ctx); err != nil {
		panic(wrap(b, op, "", err))
	}
	e := b.newEvent(op)
	b.record(op, e, s)
	return e
}

// lockPair takes the locks of two backends in one order however they are
// passed (by ordinal, then address: two backends may share a GPU), so
// that copies in both directions at once cannot deadlock, and locks this
// goroutine to its OS thread, where CopyPeer switches contexts.
func lockPair(a, b *Backend) (unlock func()) {
	if a.ordinal > b.ordinal || (a.ordinal == b.ordinal && uintptr(unsafe.Pointer(a)) > uintptr(unsafe.Pointer(b))) {
		a, b = b, a
	}
	leave := a.enter()
	b.mu.Lock()
	return func() {
		b.mu.Unlock()
		leave()
	}
}

// EnablePeerAccess lets a's and b's GPUs read each other's memory, so that
// CopyPeer goes device to device, and reports whether they can; copies
// between GPUs that cannot go through host memory. Backends on one GPU
// need nothing and report true.
func EnablePeerAccess(a, b *Backend) (bool, error) {
	if a.ordinal == b.ordinal {
		return true, nil
	}
	for _, p := range [][2]*Backend{{a, b}, {b, a}} {
		can, err := p[0].device.CanAccessPeer(p[1].device)
		if err != nil {
			return false, wrap(p[0], "EnablePeerAccess", "cuDeviceCanAccessPeer", err)
		}
		if can == 0 {
			return false, nil
		}
	}
	for _, p := range [][2]*Backend{{a, b}, {b, a}} {
		leave := p[0].enter()
		err := p[1].ctx.EnablePeerAccess(0)
		leave()
		if err != nil && !errors.Is(err, cu.PeerAccessAlreadyEnabled) {
			return false, wrap(p[0], "EnablePeerAccess", "cuCtxEnablePeerAccess", fmt.Errorf("to %s: %w", p[1].name, err))
		}
	}
	return true, nil
}
