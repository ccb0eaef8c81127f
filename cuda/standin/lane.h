// lane.h: what an emulated CUDA thread sees of itself, and the calls by
// which it waits for the others of its block (block.cpp). Shared by the
// kernels (through kernel_emu.h) and the driver.
#pragma once

#include <cstdint>
#include <cstring>
#include <type_traits>

namespace standin {

struct uint3 {
	unsigned x, y, z;
};

// Lane is what the running fiber sees of its thread and block. The block
// runner sets it before it switches to a fiber; fibers run on one OS
// thread per block, so the thread-local copy is the running thread's.
struct Lane {
	uint3 threadIdx, blockIdx, blockDim, gridDim;
};
extern thread_local Lane lane;

// syncthreads blocks the calling emulated thread until every thread of
// its block reaches the same __syncthreads (file and line name it).
void syncthreads(const char* file, int line);

// Shuffle is how a warp shuffle picks each lane's source lane.
enum class Shuffle : uint8_t {
	Xor,   // __shfl_xor_sync: own lane ^ arg
	Index, // __shfl_sync: lane arg of the caller's width-wide segment
};

// shuffle returns the bits that the source lane (picked by kind and arg)
// of the caller's warp passed to the same shuffle.
uint64_t shuffle(Shuffle kind, unsigned mask, uint64_t bits, int arg, int width, const char* file, int line);

// cp_async_issue, cp_async_commit and cp_async_wait are cp.async's
// cp.async.cg (16 bytes, src-size bytes read), commit_group and
// wait_group for the calling emulated thread (async_copy.h).
void cp_async_issue(void* dst, const void* src, int bytes);
void cp_async_commit();
void cp_async_wait(int n);

template <class T>
T shfl(Shuffle kind, unsigned mask, T v, int arg, int width, const char* file, int line) {
	static_assert(sizeof(T) <= 8 && std::is_trivially_copyable<T>::value, "shuffle of a type wider than 8 bytes");
	uint64_t bits = 0;
	std::memcpy(&bits, &v, sizeof v);
	bits = shuffle(kind, mask, bits, arg, width, file, line);
	std::memcpy(&v, &bits, sizeof v);
	return v;
}

} // namespace standin
