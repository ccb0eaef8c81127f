// memory.h: the stand-in's device and pinned host allocations (memory.cpp).
#pragma once

#include "standin.h"

namespace standin {

// alloc_device maps bytes of device memory for device, charging them to
// its capacity (GOCNN_SIM_MEMORY).
CUresult alloc_device(int device, size_t bytes, uintptr_t* out);
// free_device releases the block that starts at p and reports its device.
CUresult free_device(uintptr_t p, int* device);
// free_all releases every block of device, as destroying its context
// does, and returns their bytes.
size_t free_all(int device);
// device_of returns the device whose live block holds [p, p+n), or -1.
int device_of(uintptr_t p, size_t n);

CUresult alloc_pinned(size_t bytes, void** out);
CUresult free_pinned(void* p);

} // namespace standin
