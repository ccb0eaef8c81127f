//go:build cuda

package cuda

// The driver calls gorgonia.org/cu lacks: page-locked host memory, which
// host<->device copies need to run asynchronously at full speed.

/*
#cgo LDFLAGS: -lcuda
#include <cuda.h>
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// hostAlloc returns bytes of page-locked host memory, portable across
// contexts.
func hostAlloc(bytes int) (unsafe.Pointer, error) {
	var p unsafe.Pointer
	if r := C.cuMemHostAlloc(&p, C.size_t(bytes), C.CU_MEMHOSTALLOC_PORTABLE); r != C.CUDA_SUCCESS {
		return nil, driverError("cuMemHostAlloc", r)
	}
	return p, nil
}

// hostFree releases memory from hostAlloc.
func hostFree(p unsafe.Pointer) error {
	if r := C.cuMemFreeHost(p); r != C.CUDA_SUCCESS {
		return driverError("cuMemFreeHost", r)
	}
	return nil
}

func driverError(call string, r C.CUresult) error {
	var name *C.char
	if C.cuGetErrorName(r, &name) == C.CUDA_SUCCESS {
		return fmt.Errorf("%s: %s (%d)", call, C.GoString(name), int(r))
	}
	return fmt.Errorf("%s: CUresult %d", call, int(r))
}
