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

// shuffle_xor returns the bits the lane (own lane ^ lane_mask) of the
// caller's warp passed to the same shuffle.
uint64_t shuffle_xor(unsigned mask, uint64_t bits, int lane_mask, int width, const char* file, int line);

template <class T>
T shfl_xor(unsigned mask, T v, int lane_mask, int width, const char* file, int line) {
	static_assert(sizeof(T) <= 8 && std::is_trivially_copyable<T>::value, "shuffle of a type wider than 8 bytes");
	uint64_t bits = 0;
	std::memcpy(&bits, &v, sizeof v);
	bits = shuffle_xor(mask, bits, lane_mask, width, file, line);
	std::memcpy(&v, &bits, sizeof v);
	return v;
}

} // namespace standin
