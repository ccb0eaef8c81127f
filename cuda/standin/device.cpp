// device.cpp: initialisation, the devices the stand-in models (an H100
// SXM's limits, GOCNN_SIM_DEVICES of them), their primary contexts and the
// calling thread's current context.
#include <cstdio>
#include <cstring>

#include "memory.h"
#include "standin.h"

namespace standin {

namespace {

std::atomic<bool> init_done{false};
std::mutex contexts_mu;
std::vector<Context*> contexts; // one primary context per device, made at cuInit
int retained = 0;               // primary-context references held over all devices
thread_local Context* current = nullptr;

bool valid_device(CUdevice d) { return d >= 0 && d < config().devices; }

int attribute(CUdevice_attribute a) {
	switch (a) {
	case CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK: return kMaxThreadsPerBlock;
	case CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_X: return 1024;
	case CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Y: return 1024;
	case CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Z: return 64;
	case CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_X: return 2147483647;
	case CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Y: return 65535;
	case CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Z: return 65535;
	case CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK: return (int)kSharedPerBlock;
	case CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN: return (int)kSharedPerBlockOptin;
	case CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR: return 228 * 1024;
	case CU_DEVICE_ATTRIBUTE_TOTAL_CONSTANT_MEMORY: return 65536;
	case CU_DEVICE_ATTRIBUTE_WARP_SIZE: return kWarp;
	case CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_BLOCK: return 65536;
	case CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_MULTIPROCESSOR: return 65536;
	case CU_DEVICE_ATTRIBUTE_CLOCK_RATE: return 1980000;
	case CU_DEVICE_ATTRIBUTE_MEMORY_CLOCK_RATE: return 2619000;
	case CU_DEVICE_ATTRIBUTE_GLOBAL_MEMORY_BUS_WIDTH: return 5120;
	case CU_DEVICE_ATTRIBUTE_L2_CACHE_SIZE: return 50 * 1024 * 1024;
	case CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT: return kSMs;
	case CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_MULTIPROCESSOR: return 2048;
	case CU_DEVICE_ATTRIBUTE_MAX_BLOCKS_PER_MULTIPROCESSOR: return 32;
	case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR: return 9;
	case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR: return 0;
	case CU_DEVICE_ATTRIBUTE_ASYNC_ENGINE_COUNT: return 3;
	case CU_DEVICE_ATTRIBUTE_CONCURRENT_KERNELS: return 1;
	case CU_DEVICE_ATTRIBUTE_UNIFIED_ADDRESSING: return 1;
	case CU_DEVICE_ATTRIBUTE_CAN_MAP_HOST_MEMORY: return 1;
	case CU_DEVICE_ATTRIBUTE_STREAM_PRIORITIES_SUPPORTED: return 1;
	default: return 0;
	}
}

} // namespace

bool initialized() { return init_done.load(); }

Context* context_of(CUcontext c) {
	std::lock_guard<std::mutex> l(contexts_mu);
	for (Context* x : contexts)
		if ((CUcontext)x == c) return x;
	return nullptr;
}

Context* current_context() { return current; }

Context* usable_context(CUresult* r) {
	if (!initialized()) {
		*r = CUDA_ERROR_NOT_INITIALIZED;
		return nullptr;
	}
	*r = current ? current->sticky.load() : CUDA_ERROR_INVALID_CONTEXT;
	return *r == CUDA_SUCCESS ? current : nullptr;
}

void fail(Context* ctx, CUresult code, const std::string& message) {
	CUresult ok = CUDA_SUCCESS;
	if (ctx->sticky.compare_exchange_strong(ok, code)) ctx->sticky_message = message;
	log("device %d: %s", ctx->device, message.c_str());
}

} // namespace standin

using namespace standin;

#define REQUIRE_INIT() \
	if (!initialized()) return CUDA_ERROR_NOT_INITIALIZED

extern "C" {

CUresult cuInit(unsigned flags) {
	if (flags != 0) return CUDA_ERROR_INVALID_VALUE;
	std::lock_guard<std::mutex> l(contexts_mu);
	if (!init_done.load()) {
		for (int d = 0; d < config().devices; d++) {
			auto* c = new Context;
			c->device = d;
			contexts.push_back(c);
		}
		init_done = true;
	}
	return CUDA_SUCCESS;
}

CUresult cuDriverGetVersion(int* v) {
	if (!v) return CUDA_ERROR_INVALID_VALUE;
	*v = CUDA_VERSION;
	return CUDA_SUCCESS;
}

CUresult cuDeviceGetCount(int* n) {
	REQUIRE_INIT();
	if (!n) return CUDA_ERROR_INVALID_VALUE;
	*n = config().devices;
	return CUDA_SUCCESS;
}

CUresult cuDeviceGet(CUdevice* d, int ordinal) {
	REQUIRE_INIT();
	if (!d) return CUDA_ERROR_INVALID_VALUE;
	if (!valid_device(ordinal)) return CUDA_ERROR_INVALID_DEVICE;
	*d = ordinal;
	return CUDA_SUCCESS;
}

CUresult cuDeviceGetName(char* name, int len, CUdevice d) {
	REQUIRE_INIT();
	if (!name || len <= 0) return CUDA_ERROR_INVALID_VALUE;
	if (!valid_device(d)) return CUDA_ERROR_INVALID_DEVICE;
	snprintf(name, len, "gocnn stand-in (CPU)");
	return CUDA_SUCCESS;
}

CUresult cuDeviceTotalMem_v2(size_t* bytes, CUdevice d) {
	REQUIRE_INIT();
	if (!bytes) return CUDA_ERROR_INVALID_VALUE;
	if (!valid_device(d)) return CUDA_ERROR_INVALID_DEVICE;
	*bytes = config().memory_bytes;
	return CUDA_SUCCESS;
}

CUresult cuDeviceGetAttribute(int* v, CUdevice_attribute a, CUdevice d) {
	REQUIRE_INIT();
	if (!v || a <= 0 || a >= CU_DEVICE_ATTRIBUTE_MAX) return CUDA_ERROR_INVALID_VALUE;
	if (!valid_device(d)) return CUDA_ERROR_INVALID_DEVICE;
	*v = attribute(a);
	return CUDA_SUCCESS;
}

CUresult cuDeviceComputeCapability(int* major, int* minor, CUdevice d) {
	REQUIRE_INIT();
	if (!major || !minor) return CUDA_ERROR_INVALID_VALUE;
	if (!valid_device(d)) return CUDA_ERROR_INVALID_DEVICE;
	*major = 9;
	*minor = 0;
	return CUDA_SUCCESS;
}

CUresult cuDeviceGetPCIBusId(char* id, int len, CUdevice d) {
	REQUIRE_INIT();
	if (!id || len <= 0) return CUDA_ERROR_INVALID_VALUE;
	if (!valid_device(d)) return CUDA_ERROR_INVALID_DEVICE;
	snprintf(id, len, "00000000:%02X:00.0", 0x10 + d);
	return CUDA_SUCCESS;
}

CUresult cuDeviceCanAccessPeer(int* can, CUdevice d, CUdevice peer) {
	REQUIRE_INIT();
	if (!can) return CUDA_ERROR_INVALID_VALUE;
	if (!valid_device(d) || !valid_device(peer)) return CUDA_ERROR_INVALID_DEVICE;
	*can = d != peer;
	return CUDA_SUCCESS;
}

CUresult cuDevicePrimaryCtxRetain(CUcontext* out, CUdevice d) {
	REQUIRE_INIT();
	if (!out) return CUDA_ERROR_INVALID_VALUE;
	if (!valid_device(d)) return CUDA_ERROR_INVALID_DEVICE;
	std::lock_guard<std::mutex> l(contexts_mu);
	Context* c = contexts[d];
	if (c->refs++ == 0) {
		// A new primary context starts clean, as the driver makes a new one.
		c->sticky = CUDA_SUCCESS;
		c->sticky_message.clear();
		if (!c->null_stream) c->null_stream = new_stream(c, 0, true);
	}
	retained++;
	*out = (CUcontext)c;
	return CUDA_SUCCESS;
}

CUresult cuDevicePrimaryCtxRelease_v2(CUdevice d) {
	REQUIRE_INIT();
	if (!valid_device(d)) return CUDA_ERROR_INVALID_DEVICE;
	Context* c;
	bool last;
	{
		std::lock_guard<std::mutex> l(contexts_mu);
		c = contexts[d];
		if (c->refs == 0) return CUDA_ERROR_INVALID_CONTEXT;
		last = --c->refs == 0;
		retained--;
	}
	drain_context(c);
	if (last) {
		// The primary context is destroyed with its last reference, and
		// its memory with it.
		size_t left = free_all(d);
		if (left && config().print_stats)
			log("device %d: its context went with %zu bytes the program had not freed", d, left);
	}
	if (retained == 0 && config().print_stats) print_counters();
	return CUDA_SUCCESS;
}

CUresult cuDevicePrimaryCtxGetState(CUdevice d, unsigned* flags, int* active) {
	REQUIRE_INIT();
	if (!flags || !active) return CUDA_ERROR_INVALID_VALUE;
	if (!valid_device(d)) return CUDA_ERROR_INVALID_DEVICE;
	std::lock_guard<std::mutex> l(contexts_mu);
	*flags = 0;
	*active = contexts[d]->refs > 0;
	return CUDA_SUCCESS;
}

CUresult cuCtxSetCurrent(CUcontext c) {
	REQUIRE_INIT();
	if (c == nullptr) {
		current = nullptr;
		return CUDA_SUCCESS;
	}
	Context* ctx = context_of(c);
	if (!ctx) return CUDA_ERROR_INVALID_CONTEXT;
	current = ctx;
	return CUDA_SUCCESS;
}

CUresult cuCtxGetCurrent(CUcontext* c) {
	REQUIRE_INIT();
	if (!c) return CUDA_ERROR_INVALID_VALUE;
	*c = (CUcontext)current;
	return CUDA_SUCCESS;
}

CUresult cuCtxGetDevice(CUdevice* d) {
	REQUIRE_INIT();
	if (!d) return CUDA_ERROR_INVALID_VALUE;
	if (!current) return CUDA_ERROR_INVALID_CONTEXT;
	*d = current->device;
	return CUDA_SUCCESS;
}

CUresult cuCtxSynchronize(void) {
	REQUIRE_INIT();
	if (!current) return CUDA_ERROR_INVALID_CONTEXT;
	counters(current->device).syncs++;
	drain_context(current);
	return current->sticky.load();
}

CUresult cuCtxEnablePeerAccess(CUcontext peer, unsigned flags) {
	REQUIRE_INIT();
	if (flags) return CUDA_ERROR_INVALID_VALUE;
	if (!current) return CUDA_ERROR_INVALID_CONTEXT;
	Context* p = context_of(peer);
	if (!p) return CUDA_ERROR_INVALID_CONTEXT;
	if (p == current) return CUDA_ERROR_INVALID_DEVICE;
	return CUDA_SUCCESS;
}

} // extern "C"
