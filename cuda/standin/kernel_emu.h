// kernel_emu.h lets host C++ compile the project's CUDA kernels
// (kernels/*.cu) unchanged: the CUDA keywords become host C++, the
// built-in indices read the state of the emulated thread that runs, and
// __syncthreads and warp shuffles (__shfl_xor_sync, __shfl_sync) switch between the fibers that emulate
// a block's threads (block.cpp). It covers what the kernels use and no
// more; a kernel that needs something else fails to compile here first.
#pragma once

#include <cmath>
#include <type_traits>

#include "lane.h"

// GOCNN_STANDIN tells the kernels that they are compiled for the stand-in:
// what a GPU does in one instruction the kernels cannot express in C++
// (kernels/mma.cuh's tensor-core instructions) has an emulation under it.
#define GOCNN_STANDIN 1


#define threadIdx (::standin::lane.threadIdx)
#define blockIdx (::standin::lane.blockIdx)
#define blockDim (::standin::lane.blockDim)
#define gridDim (::standin::lane.gridDim)
#define warpSize 32

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __launch_bounds__(...)
// A block runs on one OS thread at a time, so a thread-local variable is
// exactly what its threads share.
#define __shared__ static thread_local
#define __align__(n) __attribute__((aligned(n)))

#define __syncthreads() ::standin::syncthreads(__FILE__, __LINE__)
#define __shfl_xor_sync(mask, v, lane_mask, ...)                                                  \
	::standin::shfl(::standin::Shuffle::Xor, mask, v, lane_mask, ::standin::width_or_32(__VA_ARGS__), __FILE__, \
	                __LINE__)
#define __shfl_sync(mask, v, src_lane, ...)                                                          \
	::standin::shfl(::standin::Shuffle::Index, mask, v, src_lane, ::standin::width_or_32(__VA_ARGS__), __FILE__, \
	                __LINE__)

namespace standin {
constexpr int width_or_32() { return 32; }
constexpr int width_or_32(int w) { return w; }
} // namespace standin

struct __attribute__((aligned(16))) float4 {
	float x, y, z, w;
};
inline float4 make_float4(float x, float y, float z, float w) { return float4{x, y, z, w}; }

// CUDA's integer min and max take mixed types and return the wider one.
// (The float overloads follow fminf's NaN rules; no kernel uses them, so
// they are left out rather than emulated approximately.)
template <class A, class B>
using IntegerCommon =
    typename std::enable_if<std::is_integral<A>::value && std::is_integral<B>::value, std::common_type_t<A, B>>::type;
template <class A, class B>
inline IntegerCommon<A, B> min(A a, B b) {
	return (IntegerCommon<A, B>)a < (IntegerCommon<A, B>)b ? a : b;
}
template <class A, class B>
inline IntegerCommon<A, B> max(A a, B b) {
	return (IntegerCommon<A, B>)a > (IntegerCommon<A, B>)b ? a : b;
}
