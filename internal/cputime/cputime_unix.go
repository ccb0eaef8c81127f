//go:build unix

// Package cputime reads the CPU time a process has used: on a machine
// shared with other jobs, CPU time per item is a steadier measure of cost
// than wall time.
package cputime

import (
	"syscall"
	"time"
)

// Process returns the user and system CPU time this process has used.
func Process() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
