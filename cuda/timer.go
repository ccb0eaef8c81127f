//go:build cuda

package cuda

import (
	"time"

	"gorgonia.org/cu"
)

// Timer measures device time on a backend's stream with a pair of events.
type Timer struct {
	b          *Backend
	start, end cu.Event
}

// NewTimer returns a timer on b's stream.
func (b *Backend) NewTimer() (*Timer, error) {
	defer b.enter()()
	start, err := cu.MakeEvent(cu.DefaultEvent)
	if err != nil {
		return nil, wrap(b, "NewTimer", "cuEventCreate", err)
	}
	end, err := cu.MakeEvent(cu.DefaultEvent)
	if err != nil {
		cu.DestroyEvent(&start)
		return nil, wrap(b, "NewTimer", "cuEventCreate", err)
	}
	return &Timer{b: b, start: start, end: end}, nil
}

// Start records the start event after the work queued so far.
func (t *Timer) Start() { t.record(t.start) }

// Stop records the end event, waits for it and returns the device time
// between Start and Stop.
func (t *Timer) Stop() time.Duration {
	t.record(t.end)
	defer t.b.enter()()
	t.b.activity.Syncs++
	if err := t.end.Synchronize(); err != nil {
		panic(wrap(t.b, "Timer", "cuEventSynchronize", err))
	}
	ms, err := t.start.Elapsed(t.end)
	if err != nil {
		panic(wrap(t.b, "Timer", "cuEventElapsedTime", err))
	}
	return time.Duration(ms * float64(time.Millisecond))
}

func (t *Timer) record(e cu.Event) {
	defer t.b.enter()()
	if err := e.Record(t.b.stream); err != nil {
		panic(wrap(t.b, "Timer", "cuEventRecord", err))
	}
}

// Close releases the timer's events.
func (t *Timer) Close() error {
	defer t.b.enter()()
	if err := cu.DestroyEvent(&t.start); err != nil {
		return err
	}
	return cu.DestroyEvent(&t.end)
}
