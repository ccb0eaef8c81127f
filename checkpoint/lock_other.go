//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package checkpoint

import (
	"errors"
	"os"
	"syscall"
)

// holderGone reports whether the process that wrote the record h (read
// with error readErr) has ended: without flock, by looking its pid up on
// this host (Windows finds only live processes; elsewhere signal 0 says).
// A record from another host counts as alive.
func holderGone(_ *os.File, h Holder, readErr error) (bool, error) {
	if readErr != nil {
		return true, nil
	}
	if host, _ := os.Hostname(); host != h.Host {
		return false, nil
	}
	p, err := os.FindProcess(h.PID)
	if err != nil {
		return true, nil
	}
	return errors.Is(p.Signal(syscall.Signal(0)), os.ErrProcessDone), nil
}
