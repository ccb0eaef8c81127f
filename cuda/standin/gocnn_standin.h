/* gocnn_standin.h: what the stand-in libcuda.so.1 exports beyond the CUDA
 * driver API, for tests and tools to read its counters. A program finds
 * these with dlsym(RTLD_DEFAULT, ...): on a real driver they are absent. */
#ifndef GOCNN_STANDIN_H
#define GOCNN_STANDIN_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* gocnn_standin_counters is one device's counts since the process started
 * or since the last gocnn_standin_reset. */
struct gocnn_standin_counters {
	uint64_t launches;   /* kernels launched (checked and queued) */
	uint64_t syncs;      /* calls that blocked the host until device work finished */
	uint64_t htod_bytes; /* copied host to device */
	uint64_t dtoh_bytes; /* copied device to host */
	uint64_t dtod_bytes; /* copied within the device */
	uint64_t peer_bytes; /* copied from this device to another */
	uint64_t allocs;     /* cuMemAlloc calls that succeeded */
	uint64_t frees;      /* cuMemFree calls */
	uint64_t mem_in_use; /* device memory allocated now, bytes */
	uint64_t mem_peak;   /* most device memory allocated at once, bytes */
	uint64_t busy_ns;    /* time the device's streams spent running kernels */
};

/* gocnn_standin_read fills *c with device's counters, or with their sum
 * over every device when device is -1 (mem_peak is then the sum of the
 * devices' peaks). It returns 0, or -1 for a device that does not exist. */
int gocnn_standin_read(int device, struct gocnn_standin_counters *c);

/* gocnn_standin_reset zeroes every counter; each peak restarts at the
 * memory in use. */
void gocnn_standin_reset(void);

#ifdef __cplusplus
}
#endif

#endif
