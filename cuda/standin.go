//go:build cuda

package cuda

// The stand-in CUDA device (cuda/standin) exports its counters beside the
// driver API; on a real driver the symbols are absent. They are looked up
// at run time, so the same binary runs on both.

/*
#cgo CFLAGS: -I${SRCDIR}/standin
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <stddef.h>
#include "gocnn_standin.h"

static int (*p_read)(int, struct gocnn_standin_counters *);
static void (*p_reset)(void);

static int standin_load(void) {
	*(void **)&p_read = dlsym(RTLD_DEFAULT, "gocnn_standin_read");
	*(void **)&p_reset = dlsym(RTLD_DEFAULT, "gocnn_standin_reset");
	return p_read != NULL && p_reset != NULL;
}
static int standin_read(int device, struct gocnn_standin_counters *c) { return p_read(device, c); }
static void standin_reset(void) { p_reset(); }
*/
import "C"

import (
	"sync"
	"time"
)

// StandInCounters is what the stand-in device has counted on one device
// (or all) since the process started or since ResetStandIn.
type StandInCounters struct {
	// Launches counts kernel launches.
	Launches uint64
	// Syncs counts driver calls that blocked the host until device work
	// finished: stream, event and context synchronisation, copies to
	// pageable host memory, cuMemFree.
	Syncs uint64
	// HtoDBytes, DtoHBytes, DtoDBytes and PeerBytes count bytes copied to
	// the device, to the host, within the device and to other devices.
	HtoDBytes, DtoHBytes, DtoDBytes, PeerBytes uint64
	// Allocs and Frees count cuMemAlloc and cuMemFree calls.
	Allocs, Frees uint64
	// MemInUse is the device memory allocated from the driver now, and
	// MemPeak the most at once, in bytes.
	MemInUse, MemPeak uint64
	// Busy is the time the device's streams spent running kernels.
	Busy time.Duration
}

var standIn = sync.OnceValue(func() bool { return C.standin_load() != 0 })

// IsStandIn reports whether the CUDA driver is gocnn's stand-in
// (cuda/standin) rather than NVIDIA's.
func IsStandIn() bool { return standIn() }

// ReadStandIn returns the stand-in's counters of device ordinal, or their
// sum over every device when ordinal is -1. It returns false on a real
// driver or for a device that does not exist.
func ReadStandIn(ordinal int) (StandInCounters, bool) {
	var c C.struct_gocnn_standin_counters
	if !IsStandIn() || C.standin_read(C.int(ordinal), &c) != 0 {
		return StandInCounters{}, false
	}
	return StandInCounters{
		Launches: uint64(c.launches), Syncs: uint64(c.syncs),
		HtoDBytes: uint64(c.htod_bytes), DtoHBytes: uint64(c.dtoh_bytes),
		DtoDBytes: uint64(c.dtod_bytes), PeerBytes: uint64(c.peer_bytes),
		Allocs: uint64(c.allocs), Frees: uint64(c.frees),
		MemInUse: uint64(c.mem_in_use), MemPeak: uint64(c.mem_peak),
		Busy: time.Duration(c.busy_ns),
	}, true
}

// ResetStandIn zeroes the stand-in's counters (each peak restarts at the
// memory in use); it does nothing on a real driver.
func ResetStandIn() {
	if IsStandIn() {
		C.standin_reset()
	}
}
