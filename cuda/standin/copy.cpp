// copy.cpp: the memory calls of the driver API. Copies follow the driver's
// rules for when the host waits: an asynchronous copy from pageable host
// memory is staged at once and runs later; one to pageable host memory
// returns only when done (a host sync, counted); with page-locked memory
// (cuMemHostAlloc) both are truly asynchronous, so a host that reuses the
// buffer before synchronising corrupts the copy here as on a GPU. With
// GOCNN_SIM_SKIP_KERNELS=1 copies are checked, ordered and counted but move
// no data: nothing computed is worth moving, and a full-size model's
// copies would touch tens of gigabytes of host memory.
#include <cstring>

#include "memory.h"
#include "standin.h"

using namespace standin;

namespace {


enum class Dir { HtoD, DtoH, DtoD };

// move is a copy's data movement, left out when kernels are skipped.
void move(void* dst, const void* src, size_t n) {
	if (!config().skip_kernels) memmove(dst, src, n);
}

CUresult copy(Stream* s, void* dst, const void* src, size_t n, Dir dir, bool async) {
	if (!s) return CUDA_ERROR_INVALID_HANDLE;
	if (n == 0) return CUDA_SUCCESS;
	if (!dst || !src) return CUDA_ERROR_INVALID_VALUE;
	if ((dir != Dir::DtoH && device_of((uintptr_t)dst, n) < 0) ||
	    (dir != Dir::HtoD && device_of((uintptr_t)src, n) < 0))
		return CUDA_ERROR_INVALID_VALUE;
	Counters& c = counters(s->ctx->device);
	switch (dir) {
	case Dir::HtoD: {
		c.htod_bytes += n;
		if (async && is_pinned(src, n)) {
			enqueue(s, [=] { move(dst, src, n); });
			return CUDA_SUCCESS;
		}
		auto staged = std::make_shared<std::vector<unsigned char>>();
		if (!config().skip_kernels) staged->assign((const unsigned char*)src, (const unsigned char*)src + n);
		uint64_t seq = enqueue(s, [=] { move(dst, staged->data(), n); });
		if (!async) {
			c.syncs++;
			wait_for(s, seq);
		}
		break;
	}
	case Dir::DtoH: {
		c.dtoh_bytes += n;
		uint64_t seq = enqueue(s, [=] { move(dst, src, n); });
		if (!async || !is_pinned(dst, n)) {
			c.syncs++;
			wait_for(s, seq);
		}
		break;
	}
	case Dir::DtoD:
		c.dtod_bytes += n;
		enqueue(s, [=] { move(dst, src, n); });
		break;
	}
	return s->ctx->sticky.load();
}

CUresult copy_on(CUstream h, void* dst, const void* src, size_t n, Dir dir, bool async) {
	CUresult r;
	if (!usable_context(&r)) return r;
	return copy(resolve_stream(h), dst, src, n, dir, async);
}

template <class T>
CUresult memset_on(CUstream h, CUdeviceptr dst, T v, size_t n) {
	CUresult r;
	if (!usable_context(&r)) return r;
	if (n == 0) return CUDA_SUCCESS;
	if (device_of(dst, n * sizeof(T)) < 0) return CUDA_ERROR_INVALID_VALUE;
	Stream* s = resolve_stream(h);
	if (!s) return CUDA_ERROR_INVALID_HANDLE;
	enqueue(s, [=] {
		if (config().skip_kernels) return;
		T* p = (T*)dst;
		for (size_t i = 0; i < n; i++) p[i] = v;
	});
	return CUDA_SUCCESS;
}

} // namespace

extern "C" {

CUresult cuMemAlloc_v2(CUdeviceptr* p, size_t bytes) {
	CUresult r;
	Context* c = usable_context(&r);
	if (!c) return r;
	if (!p) return CUDA_ERROR_INVALID_VALUE;
	uintptr_t a;
	if ((r = alloc_device(c->device, bytes, &a)) == CUDA_SUCCESS) *p = a;
	return r;
}

CUresult cuMemFree_v2(CUdeviceptr p) {
	CUresult r;
	Context* c = usable_context(&r);
	if (!c) return r;
	if (p == 0) return CUDA_SUCCESS;
	// cuMemFree waits for the device to finish the work that may use p.
	counters(c->device).syncs++;
	drain_context(c);
	int device;
	return free_device(p, &device);
}

CUresult cuMemGetInfo_v2(size_t* free, size_t* total) {
	CUresult r;
	Context* c = usable_context(&r);
	if (!c) return r;
	if (!free || !total) return CUDA_ERROR_INVALID_VALUE;
	*total = config().memory_bytes;
	*free = *total - counters(c->device).mem_in_use.load();
	return CUDA_SUCCESS;
}

CUresult cuMemHostAlloc(void** p, size_t bytes, unsigned flags) {
	CUresult r;
	if (!usable_context(&r)) return r;
	if (!p) return CUDA_ERROR_INVALID_VALUE;
	(void)flags; // every context sees pinned memory: it is the process's
	return alloc_pinned(bytes, p);
}

CUresult cuMemAllocHost_v2(void** p, size_t bytes) { return cuMemHostAlloc(p, bytes, 0); }

CUresult cuMemFreeHost(void* p) {
	CUresult r;
	if (!usable_context(&r)) return r;
	return free_pinned(p);
}

CUresult cuMemcpyHtoD_v2(CUdeviceptr dst, const void* src, size_t n) {
	return copy_on(nullptr, (void*)dst, src, n, Dir::HtoD, false);
}
CUresult cuMemcpyDtoH_v2(void* dst, CUdeviceptr src, size_t n) {
	return copy_on(nullptr, dst, (const void*)src, n, Dir::DtoH, false);
}
CUresult cuMemcpyDtoD_v2(CUdeviceptr dst, CUdeviceptr src, size_t n) {
	return copy_on(nullptr, (void*)dst, (const void*)src, n, Dir::DtoD, false);
}
CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void* src, size_t n, CUstream s) {
	return copy_on(s, (void*)dst, src, n, Dir::HtoD, true);
}
CUresult cuMemcpyDtoHAsync_v2(void* dst, CUdeviceptr src, size_t n, CUstream s) {
	return copy_on(s, dst, (const void*)src, n, Dir::DtoH, true);
}
CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr dst, CUdeviceptr src, size_t n, CUstream s) {
	return copy_on(s, (void*)dst, (const void*)src, n, Dir::DtoD, true);
}

CUresult cuMemcpyPeerAsync(CUdeviceptr dst, CUcontext dst_ctx, CUdeviceptr src, CUcontext src_ctx, size_t n,
                           CUstream h) {
	CUresult r;
	if (!usable_context(&r)) return r;
	Context *dc = context_of(dst_ctx), *sc = context_of(src_ctx);
	if (!dc || !sc) return CUDA_ERROR_INVALID_CONTEXT;
	if (n == 0) return CUDA_SUCCESS;
	if (device_of(dst, n) != dc->device || device_of(src, n) != sc->device) return CUDA_ERROR_INVALID_VALUE;
	Stream* s = resolve_stream(h);
	if (!s) return CUDA_ERROR_INVALID_HANDLE;
	counters(sc->device).peer_bytes += n;
	enqueue(s, [=] { move((void*)dst, (const void*)src, n); });
	return CUDA_SUCCESS;
}

CUresult cuMemsetD8Async(CUdeviceptr dst, unsigned char v, size_t n, CUstream s) { return memset_on(s, dst, v, n); }
CUresult cuMemsetD32Async(CUdeviceptr dst, unsigned v, size_t n, CUstream s) { return memset_on(s, dst, v, n); }
CUresult cuMemsetD8_v2(CUdeviceptr dst, unsigned char v, size_t n) { return memset_on(nullptr, dst, v, n); }
CUresult cuMemsetD32_v2(CUdeviceptr dst, unsigned v, size_t n) { return memset_on(nullptr, dst, v, n); }

} // extern "C"
