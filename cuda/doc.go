// Package cuda is gocnn's GPU backend: an autograd.Backend that runs the
// project's own kernels (package kernels) on one NVIDIA GPU through
// gorgonia.org/cu. Everything but this comment is behind the cuda build
// tag, because gorgonia.org/cu needs cgo, cuda.h and libcuda, and exits the
// process at init when no GPU is present.
//
// Each Backend owns one device's primary context, one stream that every
// kernel and copy of that backend is queued on (so stream order alone
// orders the work), a caching allocator and a pinned host staging buffer.
// A method makes the context current on its OS thread for its duration, so
// a backend may be called from any goroutine, one call at a time.
//
// Device failures (a driver error, an out-of-memory that survives
// emptying the cache) panic with the op and kernel name, like the shape
// misuse every Backend method panics on: an op has no error to return.
package cuda
