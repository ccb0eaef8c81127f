// Package meta is a Backend that tracks only sizes: its buffers hold a
// length and a dtype and no data, and its kernels do nothing. Running a
// model's Forward on a meta device infers every output shape and counts
// parameters instantly, at any input size, without memory for activations.
package meta
