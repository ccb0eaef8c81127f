// driver_check: a self-test of the stand-in driver showing that it is
// faithful enough to catch the bugs a GPU would: a race behind a missing
// __syncthreads, a write past an allocation, a read of freed memory,
// barriers and shuffles the threads do not all reach, a stage read before
// its cp.async copies land, launches a GPU refuses, PTX that disagrees
// with the compiled kernels, a host that reads asynchronous results too
// early; and that its memory, counters, devices and events behave as the
// Go code expects.
//
// The kernel registry is local to libcuda.so.1 (exports.map), so this
// program links the driver's objects instead, with kernels of its own
// (driver_check_kernels.cuh) and none of the project's families. This file
// is compiled twice (see the Makefile): with DRIVER_CHECK_KERNELS it is the
// kernels' translation unit, as gen-family.sh writes one for a family;
// without, it is the test program.
//
// Every case runs in a child process, this program re-executed as
// `driver_check CASE`: the driver reads its GOCNN_SIM_* settings once per
// process, a fault leaves a context's error sticky, and the parent reads
// what the child printed on stderr. The parent prints one line per case
// and exits non-zero at the first failure.

#ifdef DRIVER_CHECK_KERNELS

// ---- the kernels, compiled and registered as a family --------------------

#include <unistd.h> // usleep, for slow_store

#include "kernel_emu.h"
namespace standin_driver_check {
#include "driver_check_kernels.cuh"
} // namespace standin_driver_check
#include "registry.h"

#define KERNEL(name) standin::make_kernel<&standin_driver_check::name>("driver_check", #name)
static const bool registered = standin::register_family({
    KERNEL(block_sums),
    KERNEL(block_sums_racy),
    KERNEL(fill_f32),
    KERNEL(fill_through),
    KERNEL(copy_f32),
    KERNEL(fill_max64),
    KERNEL(shared_16k),
    KERNEL(sync_in_branch),
    KERNEL(sync_two_sites),
    KERNEL(shuffle_after_return),
    KERNEL(shuffle_index),
    KERNEL(gated_store),
    KERNEL(slow_store),
    KERNEL(cp_async_stages),
    KERNEL(warp_flags),
});

#else

// ---- the test program ------------------------------------------------------

#include <cuda.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "async_copy.h"
#include "check.h"
#include "gocnn_standin.h"

const char* check_program = "driver_check";

namespace {

typedef long long i64; // the kernels' integer parameters


// ---- the kernels' PTX ------------------------------------------------------------

// kPTX declares the kernels of driver_check_kernels.cuh. The stand-in
// reads only the entries' names, parameter sizes, .maxntid and .shared
// declarations, so the bodies are empty but for shared_16k's demoted
// shared array, placed as nvcc 11.8 places it.
const char kPTX[] = R"(//
// Hand-written for driver_check: entries only.
//
.version 7.8
.target sm_90
.address_size 64

.visible .entry block_sums(
	.param .u64 block_sums_param_0,
	.param .u64 block_sums_param_1
)
{
	ret;
}

.visible .entry block_sums_racy(
	.param .u64 block_sums_racy_param_0,
	.param .u64 block_sums_racy_param_1
)
{
	ret;
}

.visible .entry fill_f32(
	.param .u64 fill_f32_param_0,
	.param .u64 fill_f32_param_1,
	.param .f32 fill_f32_param_2
)
{
	ret;
}

.visible .entry fill_through(
	.param .u64 fill_through_param_0,
	.param .u64 fill_through_param_1,
	.param .f32 fill_through_param_2
)
{
	ret;
}

.visible .entry copy_f32(
	.param .u64 copy_f32_param_0,
	.param .u64 copy_f32_param_1,
	.param .u64 copy_f32_param_2
)
{
	ret;
}

.visible .entry fill_max64(
	.param .u64 fill_max64_param_0,
	.param .u64 fill_max64_param_1,
	.param .f32 fill_max64_param_2
)
.maxntid 64, 1, 1
{
	ret;
}

.visible .entry shared_16k(
	.param .u64 shared_16k_param_0
)
{
	.reg .b64 	%rd<2>;
	// demoted variable
	.shared .align 4 .b8 _ZZ10shared_16kE4tile[16384];
	mov.u64 	%rd1, _ZZ10shared_16kE4tile;
	ret;
}

.visible .entry sync_in_branch(
	.param .u64 sync_in_branch_param_0
)
{
	ret;
}

.visible .entry sync_two_sites(
	.param .u64 sync_two_sites_param_0
)
{
	ret;
}

.visible .entry shuffle_after_return(
	.param .u64 shuffle_after_return_param_0
)
{
	ret;
}

.visible .entry shuffle_index(
	.param .u64 shuffle_index_param_0
)
{
	ret;
}

.visible .entry gated_store(
	.param .u64 gated_store_param_0,
	.param .f32 gated_store_param_1,
	.param .u64 gated_store_param_2
)
{
	ret;
}

.visible .entry slow_store(
	.param .u64 slow_store_param_0,
	.param .f32 slow_store_param_1,
	.param .u64 slow_store_param_2
)
{
	ret;
}

.visible .entry cp_async_stages(
	.param .u64 cp_async_stages_param_0,
	.param .u64 cp_async_stages_param_1
)
{
	ret;
}

.visible .entry warp_flags(
	.param .u64 warp_flags_param_0
)
{
	ret;
}
)";

// ---- helpers for the children ----------------------------------------------------

// Dev is a device's primary context with kPTX loaded in it.
struct Dev {
	int ordinal = 0;
	CUcontext ctx = nullptr;
	CUmodule module = nullptr;

	CUfunction fn(const char* name) const {
		CUfunction f;
		CU(cuModuleGetFunction(&f, module, name));
		return f;
	}
	void use() const { CU(cuCtxSetCurrent(ctx)); }
};

// open_device makes device d's primary context current on the calling
// thread and loads the kernels into it.
Dev open_device(int d) {
	Dev v;
	v.ordinal = d;
	CU(cuInit(0));
	CU(cuDevicePrimaryCtxRetain(&v.ctx, d));
	CU(cuCtxSetCurrent(v.ctx));
	CU(cuModuleLoadData(&v.module, kPTX));
	return v;
}

struct Dims {
	unsigned x = 1, y = 1, z = 1;
};

// launch queues f over grid blocks of block threads with shared bytes of
// dynamic shared memory. Each argument must have the type of the kernel's
// parameter (CUdeviceptr for a pointer, i64, float): the driver reads as
// many bytes as the kernel's parameter has.
template <class... A>
CUresult launch(CUfunction f, Dims grid, Dims block, unsigned shared, CUstream s, A... args) {
	void* params[] = {&args..., nullptr};
	return cuLaunchKernel(f, grid.x, grid.y, grid.z, block.x, block.y, block.z, shared, s, params, nullptr);
}

CUdeviceptr alloc_floats(size_t n) {
	CUdeviceptr p;
	CU(cuMemAlloc(&p, n * sizeof(float)));
	return p;
}

void upload(CUdeviceptr p, const std::vector<float>& v) { CU(cuMemcpyHtoD(p, v.data(), v.size() * sizeof(float))); }

std::vector<float> download(CUdeviceptr p, size_t n) {
	std::vector<float> v(n);
	CU(cuMemcpyDtoH(v.data(), p, n * sizeof(float)));
	return v;
}

float download1(CUdeviceptr p) { return download(p, 1)[0]; }

// Gate is an int in page-locked host memory that gated_store waits on.
struct Gate {
	volatile int* flag;
	Gate() {
		CU(cuMemHostAlloc((void**)&flag, sizeof(int), 0));
		*flag = 0;
	}
	CUdeviceptr arg() const { return (CUdeviceptr)flag; }
	void open() { __atomic_store_n(flag, 1, __ATOMIC_RELEASE); }
	void close() { *flag = 0; } // only while no gated_store runs
};

// finishes reports whether stream s runs dry within seconds. Checks that
// a stream is held back wait a short while, and cannot fail falsely
// however slow the machine: work behind a closed gate never finishes.
bool finishes(CUstream s, double seconds) {
	for (double end = now() + seconds;;) {
		CUresult r = cuStreamQuery(s);
		if (r == CUDA_SUCCESS) return true;
		CHECK(r == CUDA_ERROR_NOT_READY, "cuStreamQuery returned %s", error_name(r).c_str());
		if (now() > end) return false;
		usleep(1000);
	}
}

gocnn_standin_counters counters(int device) {
	gocnn_standin_counters c;
	CHECK(gocnn_standin_read(device, &c) == 0, "gocnn_standin_read(%d) failed", device);
	return c;
}

// ---- the children: one function per case, run as `driver_check NAME` ----------------

constexpr unsigned kBlocks = 8, kThreads = 256, kSums = kBlocks * kThreads;
constexpr i64 kSlowUs = 100000; // slow_store's sleep

// child_sums runs block_sums (or its racy twin) over 8 blocks of 256 and
// prints on stdout how many of the 2048 results are wrong.
int child_sums(const char* kernel) {
	Dev d = open_device(0);
	// Small integers, so that every order of adding gives the exact sum;
	// every block's sum differs from the others', so that a stale total
	// left in shared memory by an earlier block is a wrong one.
	std::vector<float> x(kSums), want(kSums);
	for (unsigned i = 0; i < kSums; i++) x[i] = (float)((i * 37) % 101) - 50 + (i % kThreads == 0 ? i / kThreads : 0);
	for (unsigned b = 0; b < kBlocks; b++) {
		float s = 0;
		for (unsigned t = 0; t < kThreads; t++) s += x[b * kThreads + t];
		for (unsigned t = 0; t < kThreads; t++) want[b * kThreads + t] = s;
	}
	CUdeviceptr xd = alloc_floats(kSums), out = alloc_floats(kSums);
	upload(xd, x);
	CU(launch(d.fn(kernel), {kBlocks}, {kThreads}, 0, nullptr, xd, out));
	CU(cuCtxSynchronize());
	std::vector<float> got = download(out, kSums);
	int wrong = 0;
	for (unsigned i = 0; i < kSums; i++) wrong += got[i] != want[i];
	printf("wrong %d of %u\n", wrong, kSums);
	return 0;
}

int child_reduce() { return child_sums("block_sums"); }

// child_shuffle_index runs shuffle_index over two warps and checks every
// lane's three results; it prints how many are wrong.
int child_shuffle_index() {
	Dev d = open_device(0);
	constexpr unsigned n = 64;
	CUdeviceptr out = alloc_floats(3 * n);
	CU(launch(d.fn("shuffle_index"), {1}, {n}, 0, nullptr, out));
	std::vector<float> got = download(out, 3 * n);
	int wrong = 0;
	for (unsigned i = 0; i < n; i++) {
		unsigned warp = i / 32 * 32, lane = i % 32;
		wrong += got[3 * i] != 10.f * (warp + (lane + 3) % 32);
		wrong += got[3 * i + 1] != 10.f * (warp + 5);
		wrong += got[3 * i + 2] != 10.f * (i / 8 * 8 + 6);
	}
	printf("wrong %d of %u\n", wrong, 3 * n);
	return 0;
}
int child_racy() { return child_sums("block_sums_racy"); }

// child_warp_flags runs warp_flags over two warps and prints what each
// read of the other's flag.
int child_warp_flags() {
	Dev d = open_device(0);
	CUdeviceptr out = alloc_floats(2);
	CU(launch(d.fn("warp_flags"), {1}, {64}, 0, nullptr, out));
	std::vector<float> got = download(out, 2);
	printf("read %g %g\n", got[0], got[1]);
	return 0;
}

// child_cp_async runs cp_async_stages over 64 threads and checks each
// snapshot against the copies that must have landed by then (the source's
// bytes, zero-filled past 8 bytes in the second group) and the ones that
// must not (kAsyncCopyPoison in every byte); it prints how many of the
// floats are wrong.
int child_cp_async() {
	Dev d = open_device(0);
	constexpr unsigned n = 64, per = 52;
	std::vector<float> src(12 * n);
	for (size_t i = 0; i < src.size(); i++) src[i] = (float)i + 1;
	CUdeviceptr sd = alloc_floats(src.size()), out = alloc_floats(per * n);
	upload(sd, src);
	CU(launch(d.fn("cp_async_stages"), {1}, {n}, 0, nullptr, sd, out));
	std::vector<float> got = download(out, per * n);
	uint32_t poison;
	memset(&poison, standin::kAsyncCopyPoison, sizeof poison);
	int wrong = 0;
	for (unsigned t = 0; t < n; t++) {
		// landed[s][v]: whether stage v has landed by snapshot s.
		const bool landed[4][3] = {{false, false, false}, {true, false, false}, {true, true, false}, {true, true, true}};
		for (int s = 0; s < 4; s++)
			for (int v = 0; v < 3; v++)
				for (int i = 0; i < 4; i++) {
					float data = v == 1 && i >= 2 ? 0.f : src[4 * (v * n + t) + i];
					uint32_t want, bits;
					memcpy(&want, &data, 4);
					if (!landed[s][v]) want = poison;
					memcpy(&bits, &got[per * t + 12 * s + 4 * v + i], 4);
					wrong += bits != want;
				}
		for (int i = 0; i < 4; i++) {
			uint32_t bits;
			memcpy(&bits, &got[per * t + 48 + i], 4);
			wrong += bits != poison;
		}
	}
	printf("wrong %d of %u\n", wrong, per * n);
	return 0;
}

// child_past_end writes one float past a 1024-byte block: asynchronously,
// then sticky.
int child_past_end() {
	Dev d = open_device(0);
	// 1024 bytes, a multiple of cuMemAlloc's 256-byte alignment: the block
	// ends where its guard page starts, so the first byte past it faults.
	CUdeviceptr p = alloc_floats(256);
	// 5 blocks of 64 threads; only thread 256, block 4's thread 0, writes p[256].
	EXPECT(launch(d.fn("fill_through"), {5}, {64}, 0, nullptr, p, (i64)256, 1.0f), CUDA_SUCCESS);
	EXPECT(cuStreamSynchronize(nullptr), CUDA_ERROR_ILLEGAL_ADDRESS);
	EXPECT(cuCtxSynchronize(), CUDA_ERROR_ILLEGAL_ADDRESS);
	// The context is unusable from now on, as on a GPU.
	CUdeviceptr q;
	EXPECT(cuMemAlloc(&q, 1024), CUDA_ERROR_ILLEGAL_ADDRESS);
	EXPECT(launch(d.fn("fill_f32"), {1}, {64}, 0, nullptr, p, (i64)256, 2.0f), CUDA_ERROR_ILLEGAL_ADDRESS);
	float h;
	EXPECT(cuMemcpyDtoH(&h, p, sizeof h), CUDA_ERROR_ILLEGAL_ADDRESS);
	EXPECT(cuStreamSynchronize(nullptr), CUDA_ERROR_ILLEGAL_ADDRESS);
	return 0;
}

// child_after_free reads a block that cuMemFree has released.
int child_after_free() {
	Dev d = open_device(0);
	CUdeviceptr src = alloc_floats(256), dst = alloc_floats(256);
	upload(src, std::vector<float>(256, 1.0f));
	CU(cuMemFree(src));
	EXPECT(launch(d.fn("copy_f32"), {1}, {256}, 0, nullptr, src, dst, (i64)256), CUDA_SUCCESS);
	EXPECT(cuCtxSynchronize(), CUDA_ERROR_ILLEGAL_ADDRESS);
	return 0;
}

// child_diverge launches one of the divergent kernels with a warp of 32.
int child_diverge(const char* kernel) {
	Dev d = open_device(0);
	CUdeviceptr p = alloc_floats(32);
	EXPECT(launch(d.fn(kernel), {1}, {32}, 0, nullptr, p), CUDA_SUCCESS);
	EXPECT(cuCtxSynchronize(), CUDA_ERROR_LAUNCH_FAILED);
	return 0;
}

int child_sync_in_branch() { return child_diverge("sync_in_branch"); }
int child_sync_two_sites() { return child_diverge("sync_two_sites"); }
int child_shuffle_after_return() { return child_diverge("shuffle_after_return"); }

// child_refusals makes launches a GPU refuses before they run; none of
// them harms the context. Run with GOCNN_SIM_DEVICES=2.
int child_refusals() {
	Dev d0 = open_device(0);
	CUfunction fill = d0.fn("fill_f32"), max64 = d0.fn("fill_max64"), tile = d0.fn("shared_16k");
	const i64 n = 2048;
	CUdeviceptr p = alloc_floats(n);
	EXPECT(launch(fill, {1}, {1025}, 0, nullptr, p, n, 1.0f), CUDA_ERROR_INVALID_VALUE);
	EXPECT(launch(fill, {1}, {1, 1, 65}, 0, nullptr, p, n, 1.0f), CUDA_ERROR_INVALID_VALUE);
	EXPECT(launch(fill, {1, 65536}, {32}, 0, nullptr, p, n, 1.0f), CUDA_ERROR_INVALID_VALUE);

	// .maxntid 64: the function's limit, not the device's, applies.
	int v;
	CU(cuFuncGetAttribute(&v, CU_FUNC_ATTRIBUTE_MAX_THREADS_PER_BLOCK, max64));
	CHECK(v == 64, "fill_max64: MAX_THREADS_PER_BLOCK %d, want 64 (its .maxntid)", v);
	EXPECT(launch(max64, {1}, {128}, 0, nullptr, p, n, 1.0f), CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES);
	EXPECT(launch(max64, {1}, {64}, 0, nullptr, p, n, 1.0f), CUDA_SUCCESS);

	// 48 KiB of shared memory a block unless the program opts in.
	EXPECT(launch(fill, {1}, {32}, 49153, nullptr, p, n, 1.0f), CUDA_ERROR_INVALID_VALUE);
	EXPECT(launch(fill, {1}, {32}, 49152, nullptr, p, n, 1.0f), CUDA_SUCCESS);
	// Static shared memory counts against the same 48 KiB.
	CU(cuFuncGetAttribute(&v, CU_FUNC_ATTRIBUTE_SHARED_SIZE_BYTES, tile));
	CHECK(v == 16384, "shared_16k: SHARED_SIZE_BYTES %d, want 16384 (its .shared)", v);
	CU(cuFuncGetAttribute(&v, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, tile));
	CHECK(v == 49152 - 16384, "shared_16k: MAX_DYNAMIC_SHARED_SIZE_BYTES %d, want 48 KiB less its 16 KiB static", v);
	EXPECT(launch(tile, {1}, {64}, 49152 - 16384 + 1, nullptr, p), CUDA_ERROR_INVALID_VALUE);
	EXPECT(launch(tile, {1}, {64}, 49152 - 16384, nullptr, p), CUDA_SUCCESS);
	// Opting in raises the limit to the device's 227 KiB, static included.
	EXPECT(cuFuncSetAttribute(tile, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, 227 * 1024 - 16384 + 1),
	       CUDA_ERROR_INVALID_VALUE);
	CU(cuFuncSetAttribute(tile, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, 65536));
	EXPECT(launch(tile, {1}, {64}, 65536, nullptr, p), CUDA_SUCCESS);
	EXPECT(launch(tile, {1}, {64}, 65537, nullptr, p), CUDA_ERROR_INVALID_VALUE);

	// A function belongs to the context its module was loaded in.
	Dev d1 = open_device(1);
	d1.use();
	EXPECT(launch(fill, {1}, {32}, 0, nullptr, p, n, 1.0f), CUDA_ERROR_INVALID_HANDLE);
	CU(cuCtxSynchronize());

	// Nothing above was sticky: a correct launch runs.
	d0.use();
	CU(launch(fill, {2}, {1024}, 0, nullptr, p, n, 3.0f));
	CU(cuCtxSynchronize());
	for (float x : download(p, n)) CHECK(x == 3.0f, "after the refusals, fill_f32 wrote %g, want 3", x);
	return 0;
}

// PTX texts that disagree with the compiled kernels, for child_ptx.

// fill_f32's value is a float (.f32, 4 bytes); this says 8.
const char kPTXWrongSize[] = R"(
.visible .entry fill_f32(
	.param .u64 fill_f32_param_0,
	.param .u64 fill_f32_param_1,
	.param .u64 fill_f32_param_2
)
{
	ret;
}
)";

// copy_f32 takes three parameters; this declares two.
const char kPTXWrongCount[] = R"(
.visible .entry copy_f32(
	.param .u64 copy_f32_param_0,
	.param .u64 copy_f32_param_1
)
{
	ret;
}
)";

// An entry that nothing compiled defines.
const char kPTXUnknownEntry[] = R"(
.visible .entry no_such_kernel(
	.param .u64 no_such_kernel_param_0
)
{
	ret;
}
)";

const char kPTXNoEntry[] = ".version 7.8\n.target sm_90\n.address_size 64\n";

// A module of fill_f32 alone, as its PTX should be.
const char kPTXFillOnly[] = R"(
.visible .entry fill_f32(
	.param .u64 fill_f32_param_0,
	.param .u64 fill_f32_param_1,
	.param .f32 fill_f32_param_2
)
{
	ret;
}
)";

// A cubin is an ELF image, which the stand-in cannot run.
const char kCubin[64] = "\x7f" "ELF\x02\x01\x01";

// child_ptx loads modules the stand-in must refuse, and looks up
// functions a module does not have.
int child_ptx() {
	CU(cuInit(0));
	CUcontext ctx;
	CU(cuDevicePrimaryCtxRetain(&ctx, 0));
	CU(cuCtxSetCurrent(ctx));
	CUmodule m;
	EXPECT(cuModuleLoadData(&m, kPTXWrongSize), CUDA_ERROR_INVALID_PTX);
	EXPECT(cuModuleLoadData(&m, kPTXWrongCount), CUDA_ERROR_INVALID_PTX);
	EXPECT(cuModuleLoadData(&m, kPTXUnknownEntry), CUDA_ERROR_INVALID_PTX);
	EXPECT(cuModuleLoadData(&m, kPTXNoEntry), CUDA_ERROR_INVALID_PTX);
	EXPECT(cuModuleLoadData(&m, kCubin), CUDA_ERROR_NOT_SUPPORTED);

	CU(cuModuleLoadData(&m, kPTXFillOnly));
	CUfunction f;
	EXPECT(cuModuleGetFunction(&f, m, "no_such_kernel"), CUDA_ERROR_NOT_FOUND);
	// copy_f32 is compiled in, but this module does not declare it.
	EXPECT(cuModuleGetFunction(&f, m, "copy_f32"), CUDA_ERROR_NOT_FOUND);
	CU(cuModuleGetFunction(&f, m, "fill_f32"));
	return 0;
}

// child_async shows what the host sees of queued work before and after it
// synchronises. Each step queues its work behind a gated_store, so that
// the host looks while that work certainly has not run.
int child_async() {
	Dev d = open_device(0);
	CUfunction gated = d.fn("gated_store");
	CUstream s, nb;
	CU(cuStreamCreate(&s, CU_STREAM_DEFAULT));
	CU(cuStreamCreate(&nb, CU_STREAM_NON_BLOCKING));
	CUdeviceptr p = alloc_floats(1), scratch = alloc_floats(1), flag = alloc_floats(1), out = alloc_floats(1);
	Gate gate;
	float* pinned;
	CU(cuMemHostAlloc((void**)&pinned, sizeof(float), 0));

	// DtoH into page-locked memory returns at once; the data comes when
	// the stream gets there.
	upload(p, {1.0f});
	*pinned = -1.0f;
	CU(launch(gated, {1}, {1}, 0, s, p, 2.0f, gate.arg()));
	CU(cuMemcpyDtoHAsync(pinned, p, sizeof(float), s));
	EXPECT(cuStreamQuery(s), CUDA_ERROR_NOT_READY);
	CHECK(*pinned == -1.0f, "DtoH async into page-locked memory: the host saw %g before synchronising", *pinned);
	gate.open();
	CU(cuStreamSynchronize(s));
	CHECK(*pinned == 2.0f, "DtoH async into page-locked memory: %g after cuStreamSynchronize, want 2", *pinned);

	// HtoD from page-locked memory reads it when the stream gets there: a
	// host that overwrites it first sends the new value.
	gate.close();
	*pinned = 3.0f;
	CU(launch(gated, {1}, {1}, 0, s, scratch, 0.0f, gate.arg()));
	CU(cuMemcpyHtoDAsync(p, pinned, sizeof(float), s));
	*pinned = 4.0f;
	gate.open();
	CU(cuStreamSynchronize(s));
	CHECK(download1(p) == 4.0f, "HtoD async from page-locked memory overwritten before the copy ran: the device "
	                            "got %g, want the overwritten 4", download1(p));
	// From pageable memory the driver stages the data at the call.
	gate.close();
	float pageable = 5.0f;
	CU(launch(gated, {1}, {1}, 0, s, scratch, 0.0f, gate.arg()));
	CU(cuMemcpyHtoDAsync(p, &pageable, sizeof(float), s));
	pageable = 6.0f;
	gate.open();
	CU(cuStreamSynchronize(s));
	CHECK(download1(p) == 5.0f, "HtoD async from pageable memory: the device got %g, want 5, the value at the call",
	      download1(p));

	// The legacy default stream and a blocking stream wait for each other.
	upload(flag, {0.0f});
	gate.close();
	CU(launch(gated, {1}, {1}, 0, CU_STREAM_LEGACY, flag, 7.0f, gate.arg()));
	CU(cuMemcpyDtoDAsync(out, flag, sizeof(float), s));
	CHECK(!finishes(s, 0.2), "a blocking stream ran ahead of work on the default stream");
	gate.open();
	CU(cuStreamSynchronize(s));
	CHECK(download1(out) == 7.0f, "a blocking stream's copy after the default stream's kernel: %g, want 7",
	      download1(out));
	gate.close();
	CU(launch(gated, {1}, {1}, 0, s, flag, 8.0f, gate.arg()));
	CU(cuMemcpyDtoDAsync(out, flag, sizeof(float), nullptr));
	CHECK(!finishes(nullptr, 0.2), "the default stream ran ahead of work on a blocking stream");
	gate.open();
	CU(cuStreamSynchronize(nullptr));
	CHECK(download1(out) == 8.0f, "the default stream's copy after a blocking stream's kernel: %g, want 8",
	      download1(out));
	// A non-blocking stream does not wait for the default stream: its copy
	// runs while the default stream's kernel waits at the gate.
	gate.close();
	CU(launch(gated, {1}, {1}, 0, nullptr, flag, 9.0f, gate.arg()));
	CU(cuMemcpyDtoDAsync(out, flag, sizeof(float), nb));
	CHECK(finishes(nb, 10), "a non-blocking stream waited for the default stream");
	EXPECT(cuStreamQuery(nullptr), CUDA_ERROR_NOT_READY);
	float early; // read on nb: cuMemcpyDtoH would wait for the default stream
	CU(cuMemcpyDtoHAsync(&early, out, sizeof early, nb));
	CHECK(early == 8.0f, "a non-blocking stream's copy: %g, want the 8 from before the default stream's kernel", early);
	gate.open();
	CU(cuCtxSynchronize());
	CHECK(download1(flag) == 9.0f, "the default stream's kernel: flag %g, want 9", download1(flag));

	CU(cuStreamDestroy(s));
	CU(cuStreamDestroy(nb));
	CU(cuMemFreeHost(pinned));
	return 0;
}

// child_memory checks fresh memory, the accounting and invalid copies;
// run with GOCNN_SIM_MEMORY=64MiB.
int child_memory() {
	open_device(0);
	const size_t MiB = 1 << 20;
	size_t free0, total;
	CU(cuMemGetInfo(&free0, &total));
	CHECK(total == 64 * MiB, "cuMemGetInfo: total %zu, want 64 MiB (GOCNN_SIM_MEMORY)", total);

	CUdeviceptr p;
	CU(cuMemAlloc(&p, MiB));
	size_t free1;
	CU(cuMemGetInfo(&free1, &total));
	CHECK(free0 - free1 == MiB, "cuMemGetInfo: free fell by %zu after a 1 MiB cuMemAlloc", free0 - free1);
	// Fresh memory is NaN, so that a kernel that reads what nobody wrote
	// shows it in its results.
	std::vector<float> fresh = download(p, MiB / sizeof(float));
	for (size_t i = 0; i < fresh.size(); i++) CHECK(std::isnan(fresh[i]), "fresh memory: float %zu is %g", i, fresh[i]);

	CUdeviceptr big, more;
	CU(cuMemAlloc(&big, 48 * MiB));
	EXPECT(cuMemAlloc(&more, 48 * MiB), CUDA_ERROR_OUT_OF_MEMORY); // 97 MiB of 64
	EXPECT(cuMemAlloc(&more, 65 * MiB), CUDA_ERROR_OUT_OF_MEMORY);
	CU(cuMemFree(big));
	CU(cuMemAlloc(&big, 48 * MiB)); // running out is not sticky
	CU(cuMemFree(big));

	// A copy must land inside one live device block.
	float host[4] = {1, 2, 3, 4}, other[4];
	EXPECT(cuMemcpyHtoD((CUdeviceptr)other, host, sizeof host), CUDA_ERROR_INVALID_VALUE);
	EXPECT(cuMemcpyHtoD(p + MiB - 8, host, sizeof host), CUDA_ERROR_INVALID_VALUE);
	CU(cuMemcpyHtoD(p + MiB - 16, host, sizeof host));
	CU(cuMemFree(p));
	EXPECT(cuMemcpyHtoD(p, host, sizeof host), CUDA_ERROR_INVALID_VALUE);
	size_t free2;
	CU(cuMemGetInfo(&free2, &total));
	CHECK(free2 == free0, "cuMemGetInfo: free %zu after freeing everything, want %zu", free2, free0);
	return 0;
}

// child_counters checks the counters gocnn_standin_read reports.
int child_counters() {
	Dev d = open_device(0);
	const size_t n = 1024; // floats: 4096 bytes
	CUdeviceptr p = alloc_floats(n);
	std::vector<float> host(n, 1.0f);
	float* pinned;
	CU(cuMemHostAlloc((void**)&pinned, n * sizeof(float), 0));

	gocnn_standin_reset();
	gocnn_standin_counters c = counters(0);
	CHECK(c.launches == 0 && c.syncs == 0 && c.htod_bytes == 0 && c.busy_ns == 0, "counters not zero after a reset");
	CU(launch(d.fn("fill_f32"), {4}, {256}, 0, nullptr, p, (i64)n, 2.0f));
	c = counters(0);
	CHECK(c.launches == 1 && c.syncs == 0, "after one launch: %llu launches, %llu syncs, want 1 and 0",
	      (unsigned long long)c.launches, (unsigned long long)c.syncs);
	CU(cuStreamSynchronize(nullptr));
	c = counters(0);
	CHECK(c.syncs == 1, "after one cuStreamSynchronize: %llu syncs, want 1", (unsigned long long)c.syncs);
	CHECK(c.busy_ns > 0, "a kernel ran, but busy_ns is 0");

	gocnn_standin_reset();
	CU(cuMemcpyHtoD(p, host.data(), n * sizeof(float)));
	c = counters(0);
	CHECK(c.htod_bytes == 4096, "a 4096-byte HtoD counted %llu bytes", (unsigned long long)c.htod_bytes);

	// DtoH "async" to pageable memory blocks the host: a sync. To
	// page-locked memory it does not.
	gocnn_standin_reset();
	CU(cuMemcpyDtoHAsync(host.data(), p, n * sizeof(float), nullptr));
	c = counters(0);
	CHECK(c.syncs == 1 && c.dtoh_bytes == 4096, "a pageable DtoH async: %llu syncs, %llu bytes, want 1 and 4096",
	      (unsigned long long)c.syncs, (unsigned long long)c.dtoh_bytes);
	CU(cuMemcpyDtoHAsync(pinned, p, n * sizeof(float), nullptr));
	c = counters(0);
	CHECK(c.syncs == 1, "a page-locked DtoH async counted as a sync");
	CU(cuStreamSynchronize(nullptr));

	// The peak restarts at what is in use at the reset.
	gocnn_standin_reset();
	uint64_t base = counters(0).mem_in_use;
	CUdeviceptr a, b;
	CU(cuMemAlloc(&a, 1 << 20));
	CU(cuMemAlloc(&b, 2 << 20));
	CU(cuMemFree(a));
	CU(cuMemFree(b));
	c = counters(0);
	CHECK(c.mem_peak == base + (3 << 20) && c.mem_in_use == base,
	      "peak %llu and in use %llu, want %llu and %llu", (unsigned long long)c.mem_peak,
	      (unsigned long long)c.mem_in_use, (unsigned long long)(base + (3 << 20)), (unsigned long long)base);
	CHECK(c.allocs == 2 && c.frees == 2, "%llu allocs, %llu frees, want 2 and 2", (unsigned long long)c.allocs,
	      (unsigned long long)c.frees);
	gocnn_standin_counters sum;
	CHECK(gocnn_standin_read(-1, &sum) == 0 && sum.mem_peak == c.mem_peak, "the sum over devices differs");
	CHECK(gocnn_standin_read(1, &sum) == -1, "gocnn_standin_read of a device that does not exist succeeded");
	CU(cuMemFreeHost(pinned));
	return 0;
}

// child_skip runs with GOCNN_SIM_SKIP_KERNELS=1: launches and copies are
// checked and counted, and nothing runs or moves.
int child_skip() {
	Dev d = open_device(0);
	const size_t n = 1024;
	CUdeviceptr p = alloc_floats(n);
	gocnn_standin_reset();
	upload(p, std::vector<float>(n, 1.0f));
	CU(launch(d.fn("fill_f32"), {4}, {256}, 0, nullptr, p, (i64)n, 2.0f));
	EXPECT(launch(d.fn("fill_f32"), {1}, {1025}, 0, nullptr, p, (i64)n, 2.0f), CUDA_ERROR_INVALID_VALUE);
	CU(cuCtxSynchronize());
	std::vector<float> host(n, 7.0f);
	CU(cuMemcpyDtoH(host.data(), p, n * sizeof(float)));
	gocnn_standin_counters c = counters(0);
	CHECK(c.launches == 1, "%llu launches counted, want 1", (unsigned long long)c.launches);
	CHECK(c.busy_ns == 0, "busy_ns %llu with kernels skipped", (unsigned long long)c.busy_ns);
	CHECK(c.htod_bytes == n * sizeof(float) && c.dtoh_bytes == n * sizeof(float),
	      "copies counted %llu bytes to the device and %llu back, want %zu each", (unsigned long long)c.htod_bytes,
	      (unsigned long long)c.dtoh_bytes, n * sizeof(float));
	for (float x : host) CHECK(x == 7.0f, "a skipped copy moved data: the host buffer holds %g", x);
	return 0;
}

// child_peers uses two devices (GOCNN_SIM_DEVICES=2): peer copies, and
// events that order the streams of both.
int child_peers() {
	Dev d0 = open_device(0), d1 = open_device(1);
	const size_t n = 4096;
	CUstream s0, s1;
	d0.use();
	CU(cuStreamCreate(&s0, CU_STREAM_NON_BLOCKING));
	std::vector<float> data(n);
	for (size_t i = 0; i < n; i++) data[i] = (float)i;
	CUdeviceptr x0 = alloc_floats(n);
	upload(x0, data);
	CUfunction slow = d0.fn("slow_store");
	CUevent ready, start, end;
	CU(cuEventCreate(&ready, CU_EVENT_DEFAULT));
	CU(cuEventCreate(&start, CU_EVENT_DEFAULT));
	CU(cuEventCreate(&end, CU_EVENT_DEFAULT));
	d1.use();
	CU(cuStreamCreate(&s1, CU_STREAM_NON_BLOCKING));
	CUdeviceptr y1 = alloc_floats(n);

	gocnn_standin_reset();
	CU(cuMemcpyPeerAsync(y1, d1.ctx, x0, d0.ctx, n * sizeof(float), s1));
	CU(cuStreamSynchronize(s1));
	CHECK(download(y1, n) == data, "cuMemcpyPeerAsync: device 1 did not receive device 0's data");
	CHECK(counters(0).peer_bytes == n * sizeof(float) && counters(1).peer_bytes == 0,
	      "peer_bytes: device 0 %llu, device 1 %llu, want %zu and 0", (unsigned long long)counters(0).peer_bytes,
	      (unsigned long long)counters(1).peer_bytes, n * sizeof(float));

	// Device 1's stream waits for an event recorded on device 0's after a
	// kernel, so its copy sees the kernel's value...
	Gate gate;
	CUfunction gated = d0.fn("gated_store");
	d0.use();
	CU(launch(gated, {1}, {1}, 0, s0, x0, 42.0f, gate.arg()));
	CU(cuEventRecord(ready, s0));
	d1.use();
	CU(cuStreamWaitEvent(s1, ready, 0));
	CU(cuMemcpyPeerAsync(y1, d1.ctx, x0, d0.ctx, sizeof(float), s1));
	CHECK(!finishes(s1, 0.2), "device 1's stream ran ahead of the event it waits for");
	gate.open();
	CU(cuStreamSynchronize(s1));
	CHECK(download1(y1) == 42.0f, "a copy ordered after an event on another stream read %g, want 42", download1(y1));
	// ...and without the wait it does not.
	gate.close();
	d0.use();
	CU(launch(gated, {1}, {1}, 0, s0, x0, 43.0f, gate.arg()));
	d1.use();
	CU(cuMemcpyPeerAsync(y1, d1.ctx, x0, d0.ctx, sizeof(float), s1));
	CHECK(finishes(s1, 10), "device 1's stream waited for device 0's without an event");
	CHECK(download1(y1) == 42.0f, "an unordered copy read %g, want the 42 from before the kernel", download1(y1));
	gate.open();

	// Events time the work between them.
	gate.close();
	d0.use();
	CU(cuEventRecord(start, s0));
	CU(launch(gated, {1}, {1}, 0, s0, x0, 44.0f, gate.arg()));
	CU(launch(slow, {1}, {1}, 0, s0, x0, 45.0f, kSlowUs));
	CU(cuEventRecord(end, s0));
	float ms;
	EXPECT(cuEventQuery(end), CUDA_ERROR_NOT_READY);
	EXPECT(cuEventElapsedTime(&ms, start, end), CUDA_ERROR_NOT_READY);
	gate.open();
	CU(cuEventSynchronize(end));
	CU(cuEventElapsedTime(&ms, start, end));
	CHECK(ms >= kSlowUs / 1000.0, "cuEventElapsedTime %.3f ms around a kernel that sleeps %lld ms", ms, kSlowUs / 1000);
	printf("elapsed %.1f ms\n", ms);
	CU(cuStreamSynchronize(s0));
	return 0;
}

// child_unimplemented calls a driver function the stand-in lacks, twice.
int child_unimplemented() {
	CU(cuInit(0));
	CUgraph g;
	EXPECT(cuGraphCreate(&g, 0), CUDA_ERROR_NOT_SUPPORTED);
	EXPECT(cuGraphCreate(&g, 0), CUDA_ERROR_NOT_SUPPORTED);
	return 0;
}

struct Child {
	const char* name;
	int (*run)();
};

const Child children[] = {
    {"reduce", child_reduce},
    {"racy", child_racy},
    {"past_end", child_past_end},
    {"after_free", child_after_free},
    {"sync_in_branch", child_sync_in_branch},
    {"sync_two_sites", child_sync_two_sites},
    {"shuffle_after_return", child_shuffle_after_return},
    {"shuffle_index", child_shuffle_index},
    {"cp_async", child_cp_async},
    {"warp_flags", child_warp_flags},
    {"refusals", child_refusals},
    {"ptx", child_ptx},
    {"async", child_async},
    {"memory", child_memory},
    {"counters", child_counters},
    {"skip", child_skip},
    {"peers", child_peers},
    {"unimplemented", child_unimplemented},
};

// ---- the parent ----------------------------------------------------------------

// Outcome is how a child ended and what it wrote.
struct Outcome {
	std::string name, env; // for messages
	int status = -1;       // exit code, or 128 + the signal
	bool timed_out = false;
	std::string out, err;
};

// child_environment is this process's environment without the settings
// that change what the driver does (a caller's GOCNN_SIM_ORDER or
// GOCNN_SIM_SKIP_KERNELS would fail cases that expect the defaults), plus
// env. GOCNN_SIM_THREADS and GOCNN_SIM_SEED stay: every case must pass
// whatever they are.
std::vector<std::string> child_environment(const std::vector<std::string>& env) {
	std::vector<std::string> all;
	for (char** e = environ; *e; e++) {
		std::string v = *e;
		if (v.rfind("GOCNN_SIM_", 0) == 0 && v.rfind("GOCNN_SIM_THREADS=", 0) != 0 && v.rfind("GOCNN_SIM_SEED=", 0) != 0)
			continue;
		all.push_back(v);
	}
	all.insert(all.end(), env.begin(), env.end());
	return all;
}

// run_child runs `driver_check name` with env and kills it after
// timeout_s: a deadlock the driver misses must fail the case, not hang it.
Outcome run_child(const std::string& name, const std::vector<std::string>& env, double timeout_s = 20) {
	Outcome o;
	o.name = name;
	for (auto& e : env) o.env += e + " ";
	std::vector<std::string> envs = child_environment(env);
	std::vector<char*> argv = {(char*)"/proc/self/exe", (char*)name.c_str(), nullptr}, envp;
	for (auto& e : envs) envp.push_back((char*)e.c_str());
	envp.push_back(nullptr);
	int out[2], err[2];
	CHECK(pipe(out) == 0 && pipe(err) == 0, "pipe: %s", strerror(errno));
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_adddup2(&fa, err[1], 2);
	for (int fd : {out[0], out[1], err[0], err[1]}) posix_spawn_file_actions_addclose(&fa, fd);
	pid_t pid;
	int r = posix_spawn(&pid, "/proc/self/exe", &fa, nullptr, argv.data(), envp.data());
	CHECK(r == 0, "posix_spawn: %s", strerror(r));
	posix_spawn_file_actions_destroy(&fa);
	close(out[1]);
	close(err[1]);

	double deadline = now() + timeout_s;
	struct pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
	std::string* text[2] = {&o.out, &o.err};
	int open = 2;
	while (open > 0) {
		int left_ms = (int)((deadline - now()) * 1000);
		if (left_ms <= 0 && !o.timed_out) {
			kill(pid, SIGKILL); // its pipes close as it dies
			o.timed_out = true;
		}
		if (poll(fds, 2, o.timed_out ? 1000 : left_ms) < 0 && errno != EINTR) die(__LINE__, "poll: %s", strerror(errno));
		for (int i = 0; i < 2; i++) {
			if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
			char buf[4096];
			ssize_t n = read(fds[i].fd, buf, sizeof buf);
			if (n > 0) {
				text[i]->append(buf, n);
			} else {
				close(fds[i].fd);
				fds[i].fd = -1;
				open--;
			}
		}
	}
	int status;
	CHECK(waitpid(pid, &status, 0) == pid, "waitpid: %s", strerror(errno));
	o.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	return o;
}

std::string indented(const std::string& s) {
	std::string t;
	size_t at = 0;
	while (at < s.size()) {
		size_t nl = s.find('\n', at);
		if (nl == std::string::npos) nl = s.size();
		t += "    | " + s.substr(at, nl - at) + "\n";
		at = nl + 1;
	}
	return t;
}

[[noreturn]] void child_failed(int line, const Outcome& o, const std::string& why) {
	fprintf(stderr, "%s: FAIL (line %d): child `%s` (%s): %s\n", check_program, line, o.name.c_str(),
	        o.env.empty() ? "default settings" : o.env.c_str(), why.c_str());
	fprintf(stderr, "  its stdout:\n%s  its stderr:\n%s", indented(o.out).c_str(), indented(o.err).c_str());
	exit(1);
}

// must_pass runs a child that must exit 0 within timeout_s.
Outcome must_pass(const std::string& name, const std::vector<std::string>& env = {}, double timeout_s = 20) {
	Outcome o = run_child(name, env, timeout_s);
	if (o.timed_out) child_failed(__LINE__, o, "killed after " + std::to_string((int)timeout_s) + " s: it hung");
	if (o.status != 0) child_failed(__LINE__, o, "exited " + std::to_string(o.status));
	return o;
}

size_t count(const std::string& s, const std::string& what) {
	size_t n = 0;
	for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) n++;
	return n;
}

// SAID fails the case unless the child's stderr contains text.
#define SAID(o, text)                                                                                         \
	do {                                                                                                      \
		if (!count((o).err, (text))) child_failed(__LINE__, (o), std::string("stderr lacks \"") + (text) + "\""); \
	} while (0)

// show prints the stand-in's messages under the case's line, as evidence.
void show(const Outcome& o) {
	std::string said;
	size_t at = 0;
	while (at < o.err.size()) {
		size_t nl = o.err.find('\n', at);
		if (nl == std::string::npos) nl = o.err.size();
		std::string line = o.err.substr(at, nl - at);
		if (line.rfind("gocnn stand-in: ", 0) == 0) said += line + "\n";
		at = nl + 1;
	}
	fputs(indented(said).c_str(), stdout);
}

int wrong_results(const Outcome& o) {
	int wrong, total;
	if (sscanf(o.out.c_str(), "wrong %d of %d", &wrong, &total) != 2) child_failed(__LINE__, o, "no count on stdout");
	return wrong;
}

const char* const kOrders[] = {"forward", "reverse", "shuffle"};

double t_case;
void ok(const char* fmt, ...) {
	va_list ap;
	va_start(ap, fmt);
	printf("ok   ");
	vprintf(fmt, ap);
	printf(" (%.2f s)\n", now() - t_case);
	va_end(ap);
	t_case = now();
}

void case_reduce() {
	for (const char* order : kOrders) {
		Outcome o = must_pass("reduce", {std::string("GOCNN_SIM_ORDER=") + order});
		if (int wrong = wrong_results(o)) child_failed(__LINE__, o, std::to_string(wrong) + " wrong block sums");
	}
	ok("1  block sums (warp __shfl_xor_sync, __syncthreads) right in forward, reverse and shuffled thread order");
}

void case_racy() {
	int wrong[3];
	for (int i = 0; i < 3; i++) {
		Outcome o = must_pass("racy", {std::string("GOCNN_SIM_ORDER=") + kOrders[i]});
		wrong[i] = wrong_results(o);
		if (i > 0 && wrong[i] == 0)
			child_failed(__LINE__, o, std::string("the racy block sums were all right in ") + kOrders[i] + " order");
	}
	std::string fwd = wrong[0] ? std::to_string(wrong[0]) + " wrong" : "all right: thread 0 runs first and hides the race";
	ok("2  block sums without one __syncthreads: %d of %u wrong in reverse, %d in shuffled order; forward: %s",
	   wrong[1], kSums, wrong[2], fwd.c_str());
}

void case_past_end() {
	Outcome o = must_pass("past_end");
	show(o);
	SAID(o, "kernel fill_through block (4,0,0): thread (0,0,0): illegal address");
	SAID(o, "past the end of a live 1024-byte block of device 0");
	ok("3  a write past a 1024-byte block: launch CUDA_SUCCESS, then CUDA_ERROR_ILLEGAL_ADDRESS from the syncs, "
	   "cuMemAlloc, cuLaunchKernel and cuMemcpyDtoH (sticky)");
}

void case_after_free() {
	Outcome o = must_pass("after_free");
	show(o);
	SAID(o, "kernel copy_f32 block (0,0,0): thread (0,0,0): illegal address");
	SAID(o, "byte 0 of a freed 1024-byte block of device 0");
	ok("4  a read of freed memory: CUDA_ERROR_ILLEGAL_ADDRESS, the block named as freed");
}

void case_diverge() {
	Outcome o = must_pass("sync_in_branch", {}, 10);
	show(o);
	SAID(o, "kernel sync_in_branch block (0,0,0): __syncthreads at ");
	SAID(o, "reached by 16 threads; 16 had exited");
	o = must_pass("sync_two_sites", {}, 10);
	show(o);
	SAID(o, "kernel sync_two_sites block (0,0,0): divergent __syncthreads: threads wait at ");
	// The two orders find the stranded shuffle at different moments.
	o = must_pass("shuffle_after_return", {"GOCNN_SIM_ORDER=forward"}, 10);
	show(o);
	SAID(o, "kernel shuffle_after_return block (0,0,0): deadlock: ");
	SAID(o, "16 in warp shuffles that never complete");
	o = must_pass("shuffle_after_return", {"GOCNN_SIM_ORDER=reverse"}, 10);
	show(o);
	SAID(o, "kernel shuffle_after_return block (0,0,0): warp shuffle at ");
	SAID(o, "waits for lane 16, which has exited");
	ok("5  a barrier half the threads skip, barriers at two sites, a shuffle lanes returned from: "
	   "CUDA_ERROR_LAUNCH_FAILED, no hang");
}

void case_refusals() {
	must_pass("refusals", {"GOCNN_SIM_DEVICES=2"});
	ok("6  1025 threads, blockDim.z 65, gridDim.y 65536, more than 48 KiB of shared memory (dynamic, or with "
	   "static) -> CUDA_ERROR_INVALID_VALUE; past .maxntid -> CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES; another "
	   "context's function -> CUDA_ERROR_INVALID_HANDLE; none sticky");
}

void case_ptx() {
	Outcome o = must_pass("ptx");
	show(o);
	SAID(o, "PTX entry fill_f32 takes parameters of (8, 8, 8) bytes, its compiled kernel (8, 8, 4)");
	SAID(o, "PTX entry copy_f32 takes parameters of (8, 8) bytes, its compiled kernel (8, 8, 8)");
	SAID(o, "PTX entry no_such_kernel has no compiled kernel");
	SAID(o, "no .entry in the module image");
	SAID(o, "only PTX modules can run on the stand-in");
	ok("7  PTX parameters of other sizes or count, an entry nothing compiled, no entry -> CUDA_ERROR_INVALID_PTX; "
	   "a name not in the module -> CUDA_ERROR_NOT_FOUND; a cubin -> CUDA_ERROR_NOT_SUPPORTED");
}

void case_async() {
	must_pass("async");
	ok("8  async copies: page-locked DtoH lands at the sync, page-locked HtoD sends what the host wrote later, "
	   "pageable HtoD what it held at the call; the default and a blocking stream wait for each other, a "
	   "non-blocking stream does not");
}

void case_memory() {
	must_pass("memory", {"GOCNN_SIM_MEMORY=64MiB"});
	ok("9  fresh memory is NaN; cuMemGetInfo follows allocations; past GOCNN_SIM_MEMORY=64MiB -> "
	   "CUDA_ERROR_OUT_OF_MEMORY (not sticky); copies outside live device blocks -> CUDA_ERROR_INVALID_VALUE");
}

void case_counters() {
	must_pass("counters");
	must_pass("skip", {"GOCNN_SIM_SKIP_KERNELS=1"});
	ok("10 counters: launches, syncs (stream sync, pageable DtoH async), htod and dtoh bytes, peak, busy time; "
	   "GOCNN_SIM_SKIP_KERNELS=1 counts a launch and copies and moves no data");
}

void case_peers() {
	Outcome o = must_pass("peers", {"GOCNN_SIM_DEVICES=2"});
	float ms = 0;
	sscanf(o.out.c_str(), "elapsed %f ms", &ms);
	ok("11 two devices: cuMemcpyPeerAsync moves the data and counts peer_bytes; cuStreamWaitEvent orders a "
	   "copy after another device's kernel; cuEventElapsedTime %.1f ms around a %lld ms kernel",
	   ms, kSlowUs / 1000);
}

void case_unimplemented() {
	Outcome o = must_pass("unimplemented");
	show(o);
	size_t n = count(o.err, "cuGraphCreate is not implemented");
	if (n != 1) child_failed(__LINE__, o, "\"not implemented\" said " + std::to_string(n) + " times, want once");
	ok("12 cuGraphCreate, called twice: CUDA_ERROR_NOT_SUPPORTED (801) both times, said once");
}

void case_shuffle_index() {
	for (const char* order : kOrders) {
		Outcome o = must_pass("shuffle_index", {std::string("GOCNN_SIM_ORDER=") + order});
		if (int wrong = wrong_results(o)) child_failed(__LINE__, o, std::to_string(wrong) + " wrong shuffles");
	}
	ok("13 __shfl_sync over two warps: a rotation, a source lane past 31 (taken mod 32), a width of 8, right "
	   "in every thread order");
}

void case_cp_async() {
	for (const char* order : kOrders) {
		Outcome o = must_pass("cp_async", {std::string("GOCNN_SIM_ORDER=") + order});
		if (int wrong = wrong_results(o)) child_failed(__LINE__, o, std::to_string(wrong) + " wrong floats");
	}
	ok("14 cp.async: a copy's destination is poison from its issue, across a barrier and to other threads, "
	   "until its thread's wait lands its group (wait<1> the older of two, wait<0> all committed, not an "
	   "uncommitted one); zero-fill past src-size; in every thread order");
}

void case_warp_flags() {
	const char* want[] = {"read 0 1", "read 1 0"}; // forward, reverse
	for (int i = 0; i < 2; i++) {
		Outcome o = must_pass("warp_flags", {std::string("GOCNN_SIM_ORDER=") + kOrders[i]});
		if (o.out.rfind(want[i], 0) != 0)
			child_failed(__LINE__, o, std::string("the warps read each other's flags as \"") + o.out.substr(0, 8) +
			                              "\", want \"" + want[i] + "\" in " + kOrders[i] + " order");
	}
	ok("15 warps between barriers: in forward order warp 0 runs through two shuffles before warp 1 starts "
	   "(it misses warp 1's flag), in reverse order warp 1 before warp 0");
}

} // namespace

int main(int argc, char** argv) {
	setvbuf(stdout, nullptr, _IOLBF, 0);
	if (argc == 2) {
		for (const Child& c : children)
			if (c.name == std::string(argv[1])) {
				static std::string me = std::string("driver_check ") + argv[1];
				check_program = me.c_str();
				return c.run();
			}
	}
	if (argc != 1) {
		fprintf(stderr, "usage: driver_check [CASE]\ncases:");
		for (const Child& c : children) fprintf(stderr, " %s", c.name);
		fprintf(stderr, "\n");
		return 2;
	}
	double t0 = now();
	t_case = t0;
	case_reduce();
	case_racy();
	case_past_end();
	case_after_free();
	case_diverge();
	case_refusals();
	case_ptx();
	case_async();
	case_memory();
	case_counters();
	case_peers();
	case_unimplemented();
	case_shuffle_index();
	case_cp_async();
	case_warp_flags();
	printf("PASS driver_check (%.1f s)\n", now() - t0);
	return 0;
}

#endif
