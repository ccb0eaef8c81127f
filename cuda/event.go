//go:build cuda

package cuda

import (
	"errors"

	"gorgonia.org/cu"
)

// newEvent returns an event for ordering work, without timing.
func (b *Backend) newEvent(op string) cu.Event {
	e, err := cu.MakeEvent(cu.DisableTiming)
	if err != nil {
		panic(wrap(b, op, "cuEventCreate", err))
	}
	return e
}

// record records e on stream s.
func (b *Backend) record(op string, e cu.Event, s cu.Stream) {
	if err := e.Record(s); err != nil {
		panic(wrap(b, op, "cuEventRecord", err))
	}
}

// awaitEvent waits until the work before e's last record has finished. It
// asks first, so that work long finished costs no host-blocking call
// (counted in Activity only when it blocks). The caller holds the backend.
func (b *Backend) awaitEvent(op string, e cu.Event) {
	if err := e.Query(); err == nil {
		return
	} else if !errors.Is(err, cu.NotReady) {
		panic(wrap(b, op, "cuEventQuery", err))
	}
	b.activity.Syncs++
	if err := e.Synchronize(); err != nil {
		panic(wrap(b, op, "cuEventSynchronize", err))
	}
}
