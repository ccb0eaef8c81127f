// Package cpu is gocnn's pure-Go Backend: float32 kernels parallelised over
// goroutines. It runs everywhere and is the executable specification that
// every GPU kernel is checked against. Results depend only on the inputs and
// the worker count, never on scheduling, so a seeded run is reproducible.
package cpu
