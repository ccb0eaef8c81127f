// nvml_check: a self-test of the stand-in libnvidia-ml.so.1. It loads the
// library as go-nvml does (dlopen by soname, lazy and global), uses the
// stand-in driver (linked) to allocate device memory, and checks what NVML
// reports: init reference counting, devices, names, memory, utilization,
// errors, and that NVML leaves the current context alone. Exits 0 when
// every check passes.
#include <cuda.h>
#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

// The NVML ABI as the library exports it; handles are opaque.
typedef void* Device;
struct Memory {
	unsigned long long total, free, used;
};
struct Memory2 {
	unsigned int version;
	unsigned long long total, reserved, free, used;
};
struct Utilization {
	unsigned int gpu, memory;
};
enum { SUCCESS = 0, UNINITIALIZED = 1, INVALID_ARGUMENT = 2, INSUFFICIENT_SIZE = 7, VERSION_MISMATCH = 25 };

int (*Init)();
int (*Shutdown)();
const char* (*ErrorString)(int);
int (*DriverVersion)(char*, unsigned);
int (*CudaDriverVersion)(int*);
int (*GetCount)(unsigned*);
int (*GetHandle)(unsigned, Device*);
int (*GetIndex)(Device, unsigned*);
int (*GetName)(Device, char*, unsigned);
int (*GetUUID)(Device, char*, unsigned);
int (*GetMemory)(Device, Memory*);
int (*GetMemory2)(Device, Memory2*);
int (*GetUtilization)(Device, Utilization*);
int (*GetTemperature)(Device, int, unsigned*);

int failures = 0;

#define CHECK(cond)                                                     \
	do {                                                                \
		if (!(cond)) {                                                  \
			fprintf(stderr, "nvml_check:%d: failed: %s\n", __LINE__, #cond); \
			failures++;                                                 \
		}                                                               \
	} while (0)

// CU runs a driver call that must succeed: the rest depends on it.
#define CU(call)                                                                  \
	do {                                                                          \
		CUresult r_ = (call);                                                     \
		if (r_ != CUDA_SUCCESS) {                                                 \
			fprintf(stderr, "nvml_check:%d: %s = %d\n", __LINE__, #call, (int)r_); \
			exit(1);                                                              \
		}                                                                         \
	} while (0)

template <typename F>
void bind(void* lib, F* f, const char* name) {
	*f = (F)dlsym(lib, name);
	if (!*f) {
		fprintf(stderr, "nvml_check: %s missing: %s\n", name, dlerror());
		exit(1);
	}
}

Device handle(unsigned i) {
	Device d = nullptr;
	CHECK(GetHandle(i, &d) == SUCCESS && d);
	return d;
}

unsigned long long used(Device d) {
	Memory m{};
	CHECK(GetMemory(d, &m) == SUCCESS);
	CHECK(m.total > 0 && m.free == m.total - m.used);
	return m.used;
}

} // namespace

int main() {
	// Two devices, unless the caller chose: handles past the first must
	// work too. The driver reads its settings at first use, after this.
	setenv("GOCNN_SIM_DEVICES", "2", 0);

	void* lib = dlopen("libnvidia-ml.so.1", RTLD_LAZY | RTLD_GLOBAL);
	if (!lib) {
		fprintf(stderr, "nvml_check: %s\n", dlerror());
		return 1;
	}
	bind(lib, &Init, "nvmlInit_v2");
	bind(lib, &Shutdown, "nvmlShutdown");
	bind(lib, &ErrorString, "nvmlErrorString");
	bind(lib, &DriverVersion, "nvmlSystemGetDriverVersion");
	bind(lib, &CudaDriverVersion, "nvmlSystemGetCudaDriverVersion_v2");
	bind(lib, &GetCount, "nvmlDeviceGetCount_v2");
	bind(lib, &GetHandle, "nvmlDeviceGetHandleByIndex_v2");
	bind(lib, &GetIndex, "nvmlDeviceGetIndex");
	bind(lib, &GetName, "nvmlDeviceGetName");
	bind(lib, &GetUUID, "nvmlDeviceGetUUID");
	bind(lib, &GetMemory, "nvmlDeviceGetMemoryInfo");
	bind(lib, &GetMemory2, "nvmlDeviceGetMemoryInfo_v2");
	bind(lib, &GetUtilization, "nvmlDeviceGetUtilizationRates");
	bind(lib, &GetTemperature, "nvmlDeviceGetTemperature");

	// Before nvmlInit.
	unsigned count = 0;
	CHECK(GetCount(&count) == UNINITIALIZED);
	CHECK(Shutdown() == UNINITIALIZED);
	CHECK(strcmp(ErrorString(UNINITIALIZED), "Uninitialized") == 0);

	// nvmlInit before the program has a context, which it must not make.
	CHECK(Init() == SUCCESS);
	CU(cuInit(0));
	CUcontext ctx = nullptr;
	CU(cuCtxGetCurrent(&ctx));
	CHECK(ctx == nullptr);

	int cu_count = 0;
	CU(cuDeviceGetCount(&cu_count));
	CHECK(GetCount(&count) == SUCCESS && (int)count == cu_count && count >= 1);
	const unsigned last = count - 1;
	Device d0 = handle(0), dl = handle(last);
	Device bad = nullptr;
	CHECK(GetHandle(count, &bad) == INVALID_ARGUMENT);
	unsigned index = 99;
	CHECK(GetIndex(dl, &index) == SUCCESS && index == last);
	CHECK(GetIndex(&index, &index) == INVALID_ARGUMENT); // not a handle

	char s[96], cu_name[96];
	CU(cuDeviceGetName(cu_name, sizeof cu_name, 0));
	CHECK(GetName(d0, s, sizeof s) == SUCCESS && strcmp(s, cu_name) == 0);
	CHECK(GetName(d0, s, 4) == INSUFFICIENT_SIZE);
	CHECK(DriverVersion(s, sizeof s) == SUCCESS && strstr(s, "standin"));
	CHECK(DriverVersion(s, 4) == INSUFFICIENT_SIZE);
	CHECK(GetUUID(d0, s, sizeof s) == SUCCESS && strncmp(s, "GPU-", 4) == 0);
	int v = 0, cu_v = 0;
	CU(cuDriverGetVersion(&cu_v));
	CHECK(CudaDriverVersion(&v) == SUCCESS && v == cu_v);
	unsigned temp = 0;
	CHECK(GetTemperature(d0, 0, &temp) == SUCCESS && temp > 0 && temp < 100);

	// Memory: an allocation on the last device shows as used there only.
	size_t total = 0;
	CU(cuDeviceTotalMem(&total, last));
	Memory m{};
	CHECK(GetMemory(dl, &m) == SUCCESS && m.total == total);
	unsigned long long before = used(dl), before0 = used(d0);
	CU(cuDevicePrimaryCtxRetain(&ctx, last));
	CU(cuCtxSetCurrent(ctx));
	CUdeviceptr p;
	const size_t n = 3 << 20;
	CU(cuMemAlloc(&p, n));
	CHECK(used(dl) >= before + n);
	if (count > 1) CHECK(used(d0) == before0);
	Memory2 m2{};
	CHECK(GetMemory2(dl, &m2) == VERSION_MISMATCH);
	m2.version = sizeof(Memory2) | 2u << 24;
	CHECK(GetMemory2(dl, &m2) == SUCCESS && m2.total == total && m2.used >= before + n && m2.free == total - m2.used);
	CU(cuMemFree(p));
	CHECK(used(dl) == before);

	// NVML calls left the context the program set.
	CUcontext now = nullptr;
	CU(cuCtxGetCurrent(&now));
	CHECK(now == ctx);

	// No kernel has run: the devices were idle.
	Utilization u{99, 99};
	CHECK(GetUtilization(d0, &u) == SUCCESS && u.gpu == 0 && u.memory == 0);
	CHECK(GetUtilization(dl, &u) == SUCCESS && u.gpu == 0);

	// Reference counting: the second nvmlInit needs a second nvmlShutdown.
	CHECK(Init() == SUCCESS);
	CHECK(Shutdown() == SUCCESS);
	CHECK(GetCount(&count) == SUCCESS);
	CHECK(Shutdown() == SUCCESS);
	CHECK(GetCount(&count) == UNINITIALIZED);
	CHECK(GetName(d0, s, sizeof s) == UNINITIALIZED);
	CHECK(Shutdown() == UNINITIALIZED);

	CU(cuCtxSetCurrent(nullptr));
	CU(cuDevicePrimaryCtxRelease(last));
	if (failures) return 1;
	printf("nvml_check: ok (%d devices, \"%s\")\n", cu_count, cu_name);
	return 0;
}
