package autograd

import "fmt"

// OutOfMemoryError is the error a TryAllocator returns, and Alloc panics
// with, when the device has no room left for a buffer: a training loop
// finds it with errors.As and says what the step needs.
type OutOfMemoryError struct {
	Device   string // the backend's name
	Bytes    int64  // the allocation that failed
	InUse    int64  // the bytes live buffers held then
	Capacity int64  // the device's memory
	Err      error  // the driver's error, if any
}

func (e *OutOfMemoryError) Error() string {
	msg := fmt.Sprintf("%s: out of memory: %d bytes with %.0f MiB in use of %.0f MiB",
		e.Device, e.Bytes, float64(e.InUse)/(1<<20), float64(e.Capacity)/(1<<20))
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *OutOfMemoryError) Unwrap() error { return e.Err }
