//go:build !(linux || darwin || freebsd || netbsd || openbsd)

package data

// mapMemory allocates n bytes on Go's heap where mmap is not available.
func mapMemory(n int) ([]byte, error) { return make([]byte, n), nil }

func unmapMemory([]byte) {}
