package cpu

import "fmt"

// mustLen panics unless every length in got equals want: a kernel was
// handed a buffer that does not match the shape it was told.
func mustLen(kernel string, want int, got ...int) {
	for _, g := range got {
		if g != want {
			panic(fmt.Sprintf("cpu: %s: buffer of %d elements, want %d", kernel, g, want))
		}
	}
}

// mustAtLeast panics unless the buffer length n is at least want.
func mustAtLeast(kernel string, n, want int) {
	if n < want {
		panic(fmt.Sprintf("cpu: %s: buffer of %d elements, need %d", kernel, n, want))
	}
}
