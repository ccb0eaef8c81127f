// nvml.cpp: the stand-in libnvidia-ml.so.1, the part of NVML the project
// reads (through github.com/NVIDIA/go-nvml) to log GPU names, memory,
// utilization and temperature. Its devices are the stand-in driver's: it
// asks libcuda.so.1 (the stand-in, found next to this library) for them
// and reads the driver's counters (gocnn_standin.h) for memory in use and
// kernel time. It only queries devices, never contexts, so it works before
// the program makes one and leaves the calling thread's context alone.
//
// Functions NVML has and this file lacks are simply absent: go-nvml binds
// lazily and looks up only optional versioned symbols at load.
#include <cuda.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <vector>

#include "gocnn_standin.h"

// The NVML types this file needs, declared with NVML's ABI values (as in
// nvml.h and go-nvml's generated constants).
typedef int nvmlReturn_t;
enum : nvmlReturn_t {
	NVML_SUCCESS = 0,
	NVML_ERROR_UNINITIALIZED = 1,
	NVML_ERROR_INVALID_ARGUMENT = 2,
	NVML_ERROR_NOT_SUPPORTED = 3,
	NVML_ERROR_NOT_FOUND = 6,
	NVML_ERROR_INSUFFICIENT_SIZE = 7,
	NVML_ERROR_DRIVER_NOT_LOADED = 9,
	NVML_ERROR_ARGUMENT_VERSION_MISMATCH = 25,
	NVML_ERROR_UNKNOWN = 999,
};

enum { NVML_TEMPERATURE_GPU = 0 };

struct nvmlMemory_t {
	unsigned long long total, free, used;
};

struct nvmlMemory_v2_t {
	unsigned int version; // must be nvmlMemory_v2
	unsigned long long total, reserved, free, used;
};
// NVML's NVML_STRUCT_VERSION(Memory, 2): the size, and the version in the top byte.
constexpr unsigned int nvmlMemory_v2 = sizeof(nvmlMemory_v2_t) | 2u << 24;

struct nvmlUtilization_t {
	unsigned int gpu, memory; // percent
};

struct nvmlPciInfo_t {
	char busIdLegacy[16];
	unsigned int domain, bus, device;
	unsigned int pciDeviceId; // device id << 16 | vendor id
	unsigned int pciSubSystemId;
	char busId[32];
};

// nvmlDevice_st is what an nvmlDevice_t points to: one of the stand-in's
// devices and the previous utilization sample.
struct nvmlDevice_st {
	int index;
	std::chrono::steady_clock::time_point sampled;
	uint64_t busy_ns; // the device's busy_ns counter at sampled
};
typedef nvmlDevice_st* nvmlDevice_t;

namespace {

std::mutex mu;     // guards everything below
int init_refs = 0; // nvmlInit calls not yet matched by nvmlShutdown
// One entry per device, made at the first nvmlInit and kept for the life of
// the process: the stand-in's device count never changes, and handles a
// program kept across nvmlShutdown then never dangle.
std::vector<nvmlDevice_st>* devices = nullptr;

// Made-up figures for what the CPU cannot report.
constexpr unsigned kTemperatureC = 40;    // a GPU idling in a cool room
constexpr unsigned kPciDeviceId = 0x233010DE; // H100 SXM5 (0x2330), NVIDIA (0x10DE), the card the driver models

uint64_t busy_ns(int device) {
	gocnn_standin_counters c{};
	gocnn_standin_read(device, &c);
	return c.busy_ns;
}

// start_sampling makes every device's next utilization cover the time
// from now.
void start_sampling() {
	for (nvmlDevice_st& d : *devices) {
		d.sampled = std::chrono::steady_clock::now();
		d.busy_ns = busy_ns(d.index);
	}
}

// check_device returns NVML_SUCCESS when NVML is initialised and d is one
// of its handles. Callers hold mu.
nvmlReturn_t check_device(nvmlDevice_t d) {
	if (init_refs == 0) return NVML_ERROR_UNINITIALIZED;
	for (nvmlDevice_st& x : *devices)
		if (&x == d) return NVML_SUCCESS;
	return NVML_ERROR_INVALID_ARGUMENT;
}

// copy_string copies s into buf as NVML does: whole, with its NUL, or not
// at all.
nvmlReturn_t copy_string(const char* s, char* buf, unsigned length) {
	if (!buf) return NVML_ERROR_INVALID_ARGUMENT;
	if (strlen(s) + 1 > length) return NVML_ERROR_INSUFFICIENT_SIZE;
	memcpy(buf, s, strlen(s) + 1);
	return NVML_SUCCESS;
}

nvmlReturn_t init() {
	std::lock_guard<std::mutex> l(mu);
	if (init_refs == 0) {
		int n = 0;
		if (cuInit(0) != CUDA_SUCCESS || cuDeviceGetCount(&n) != CUDA_SUCCESS) return NVML_ERROR_DRIVER_NOT_LOADED;
		if (!devices) {
			devices = new std::vector<nvmlDevice_st>(n);
			for (int i = 0; i < n; i++) (*devices)[i].index = i;
		}
		start_sampling();
	}
	init_refs++;
	return NVML_SUCCESS;
}

// memory reports device d's memory: the driver's total, and the bytes its
// allocations hold now as used.
void memory(int d, unsigned long long* total, unsigned long long* free, unsigned long long* used) {
	size_t t = 0;
	cuDeviceTotalMem_v2(&t, d);
	gocnn_standin_counters c{};
	gocnn_standin_read(d, &c);
	*total = t;
	*used = c.mem_in_use;
	*free = c.mem_in_use < t ? t - c.mem_in_use : 0;
}

} // namespace

#define LOCK_DEVICE(d)                         \
	std::lock_guard<std::mutex> l(mu);         \
	if (nvmlReturn_t r = check_device(d)) return r

extern "C" {

nvmlReturn_t nvmlInit_v2(void) { return init(); }
nvmlReturn_t nvmlInit(void) { return init(); }
// The flags only relax what NVML does when GPUs are missing or unusable,
// which the stand-in's never are.
nvmlReturn_t nvmlInitWithFlags(unsigned int) { return init(); }

nvmlReturn_t nvmlShutdown(void) {
	std::lock_guard<std::mutex> l(mu);
	if (init_refs == 0) return NVML_ERROR_UNINITIALIZED;
	init_refs--;
	return NVML_SUCCESS;
}

const char* nvmlErrorString(nvmlReturn_t r) {
	switch (r) {
	case NVML_SUCCESS: return "Success";
	case NVML_ERROR_UNINITIALIZED: return "Uninitialized";
	case NVML_ERROR_INVALID_ARGUMENT: return "Invalid Argument";
	case NVML_ERROR_NOT_SUPPORTED: return "Not Supported";
	case NVML_ERROR_NOT_FOUND: return "Not Found";
	case NVML_ERROR_INSUFFICIENT_SIZE: return "Insufficient Size";
	case NVML_ERROR_DRIVER_NOT_LOADED: return "Driver Not Loaded";
	case NVML_ERROR_ARGUMENT_VERSION_MISMATCH: return "Argument Version Mismatch";
	default: return "Unknown Error";
	}
}

nvmlReturn_t nvmlSystemGetDriverVersion(char* version, unsigned int length) {
	std::lock_guard<std::mutex> l(mu);
	if (init_refs == 0) return NVML_ERROR_UNINITIALIZED;
	return copy_string("gocnn-standin", version, length);
}

nvmlReturn_t nvmlSystemGetCudaDriverVersion(int* version) {
	if (!version) return NVML_ERROR_INVALID_ARGUMENT;
	// Real NVML answers this without nvmlInit; so does the stand-in.
	return cuDriverGetVersion(version) == CUDA_SUCCESS ? NVML_SUCCESS : NVML_ERROR_UNKNOWN;
}

nvmlReturn_t nvmlSystemGetCudaDriverVersion_v2(int* version) { return nvmlSystemGetCudaDriverVersion(version); }

nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int* count) {
	std::lock_guard<std::mutex> l(mu);
	if (init_refs == 0) return NVML_ERROR_UNINITIALIZED;
	if (!count) return NVML_ERROR_INVALID_ARGUMENT;
	*count = (unsigned)devices->size();
	return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetCount(unsigned int* count) { return nvmlDeviceGetCount_v2(count); }

nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t* device) {
	std::lock_guard<std::mutex> l(mu);
	if (init_refs == 0) return NVML_ERROR_UNINITIALIZED;
	if (!device || index >= devices->size()) return NVML_ERROR_INVALID_ARGUMENT;
	*device = &(*devices)[index];
	return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetHandleByIndex(unsigned int index, nvmlDevice_t* device) {
	return nvmlDeviceGetHandleByIndex_v2(index, device);
}

nvmlReturn_t nvmlDeviceGetIndex(nvmlDevice_t device, unsigned int* index) {
	LOCK_DEVICE(device);
	if (!index) return NVML_ERROR_INVALID_ARGUMENT;
	*index = device->index;
	return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t device, char* name, unsigned int length) {
	LOCK_DEVICE(device);
	char s[96]; // NVML_DEVICE_NAME_V2_BUFFER_SIZE
	if (cuDeviceGetName(s, sizeof s, device->index) != CUDA_SUCCESS) return NVML_ERROR_UNKNOWN;
	return copy_string(s, name, length);
}

nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t device, char* uuid, unsigned int length) {
	LOCK_DEVICE(device);
	// Made up: NVML's "GPU-" form, the same for a device index every run.
	char s[48];
	snprintf(s, sizeof s, "GPU-00000000-0000-0000-0000-%012x", device->index);
	return copy_string(s, uuid, length);
}

nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t device, nvmlMemory_t* m) {
	LOCK_DEVICE(device);
	if (!m) return NVML_ERROR_INVALID_ARGUMENT;
	memory(device->index, &m->total, &m->free, &m->used);
	return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetMemoryInfo_v2(nvmlDevice_t device, nvmlMemory_v2_t* m) {
	LOCK_DEVICE(device);
	if (!m) return NVML_ERROR_INVALID_ARGUMENT;
	if (m->version != nvmlMemory_v2) return NVML_ERROR_ARGUMENT_VERSION_MISMATCH;
	m->reserved = 0; // the stand-in keeps no memory for itself
	memory(device->index, &m->total, &m->free, &m->used);
	return NVML_SUCCESS;
}

// nvmlDeviceGetUtilizationRates reports, as gpu, the percentage of the
// wall time since the previous call for the device (or since nvmlInit)
// that its kernels ran. busy_ns grows when a kernel finishes, by the whole
// kernel, and sums kernels that ran at once on several streams, so a
// period can count more than its length: that is clamped to 100. Memory
// utilization is not modelled: 0.
nvmlReturn_t nvmlDeviceGetUtilizationRates(nvmlDevice_t device, nvmlUtilization_t* u) {
	LOCK_DEVICE(device);
	if (!u) return NVML_ERROR_INVALID_ARGUMENT;
	auto now = std::chrono::steady_clock::now();
	uint64_t busy = busy_ns(device->index);
	uint64_t wall = std::chrono::duration_cast<std::chrono::nanoseconds>(now - device->sampled).count();
	// gocnn_standin_reset may have zeroed the counter since the last sample.
	uint64_t ran = busy >= device->busy_ns ? busy - device->busy_ns : busy;
	device->sampled = now;
	device->busy_ns = busy;
	uint64_t pct = wall ? ran * 100 / wall : 0;
	u->gpu = pct > 100 ? 100 : (unsigned)pct;
	u->memory = 0;
	return NVML_SUCCESS;
}

nvmlReturn_t nvmlDeviceGetTemperature(nvmlDevice_t device, int sensor, unsigned int* temp) {
	LOCK_DEVICE(device);
	if (!temp || sensor != NVML_TEMPERATURE_GPU) return NVML_ERROR_INVALID_ARGUMENT;
	*temp = kTemperatureC;
	return NVML_SUCCESS;
}

// Only _v3, the layout go-nvml and today's nvml.h use; go-nvml picks it at
// load.
nvmlReturn_t nvmlDeviceGetPciInfo_v3(nvmlDevice_t device, nvmlPciInfo_t* pci) {
	LOCK_DEVICE(device);
	if (!pci) return NVML_ERROR_INVALID_ARGUMENT;
	*pci = nvmlPciInfo_t{};
	// The driver's bus id, "00000000:BB:00.0", so NVML and CUDA agree.
	if (cuDeviceGetPCIBusId(pci->busId, sizeof pci->busId, device->index) != CUDA_SUCCESS) return NVML_ERROR_UNKNOWN;
	if (sscanf(pci->busId, "%x:%x:%x", &pci->domain, &pci->bus, &pci->device) != 3) return NVML_ERROR_UNKNOWN;
	snprintf(pci->busIdLegacy, sizeof pci->busIdLegacy, "%04X:%02X:%02X.0", pci->domain & 0xFFFF, pci->bus, pci->device);
	pci->pciDeviceId = kPciDeviceId;
	return NVML_SUCCESS;
}

} // extern "C"
