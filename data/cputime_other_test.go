//go:build !unix

package data_test

import "time"

// cpuTime is not measured on this system; cpu-ms/img then reads 0.
func cpuTime() time.Duration { return 0 }
