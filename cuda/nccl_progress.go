//go:build cuda

package cuda

import (
	"cmp"
	"errors"
	"sync"
	"time"

	"gorgonia.org/cu"
)

// progress follows a communicator's collectives on the device: an event
// recorded after each, with the time it was queued, until the event is
// seen reached. A watchdog reads it (Comm.Waiting) to tell a collective
// that waits for a rank that never arrives from one still in progress.
type progress struct {
	mu      sync.Mutex
	issued  int64
	pending []queuedCollective // oldest first
	spare   []cu.Event
}

type queuedCollective struct {
	done cu.Event
	at   time.Time
}

// queued records a collective just queued on stream; the caller has b's
// context current.
func (p *progress) queued(b *Backend, op string, stream cu.Stream) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.issued++
	var e cu.Event
	if n := len(p.spare); n > 0 {
		e, p.spare = p.spare[n-1], p.spare[:n-1]
	} else {
		e = b.newEvent(op)
	}
	b.record(op, e, stream)
	p.pending = append(p.pending, queuedCollective{e, time.Now()})
}

// Issued returns the number of collectives queued on c so far: ranks that
// have queued fewer than the others are the ones the others wait for.
func (c *Comm) Issued() int64 {
	c.progress.mu.Lock()
	defer c.progress.mu.Unlock()
	return c.progress.issued
}

// Waiting returns how long the oldest collective queued on c and not yet
// finished has been queued, 0 when every one has finished. It asks the
// device without waiting for it (cuEventQuery), holding nothing a
// collective or the backend needs, so a watchdog may call it while
// another goroutine waits for c's backend.
func (c *Comm) Waiting() (time.Duration, error) {
	p := &c.progress
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.pending) == 0 {
		return 0, nil
	}
	leave := c.b.current()
	defer leave()
	for len(p.pending) > 0 {
		q := p.pending[0]
		if err := q.done.Query(); errors.Is(err, cu.NotReady) {
			return time.Since(q.at), nil
		} else if err != nil {
			return 0, wrap(c.b, "Comm.Waiting", "cuEventQuery", err)
		}
		p.spare = append(p.spare, q.done)
		p.pending = p.pending[1:]
	}
	return 0, nil
}

// close destroys the events; the collectives have finished.
func (p *progress) close(b *Backend) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	defer b.enter()()
	var errs []error
	for _, q := range p.pending {
		p.spare = append(p.spare, q.done)
	}
	for i := range p.spare {
		errs = append(errs, cu.DestroyEvent(&p.spare[i]))
	}
	p.pending, p.spare = nil, nil
	return cmp.Or(errs...)
}
