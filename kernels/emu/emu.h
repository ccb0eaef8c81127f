// emu.h: CPU emulation of the few CUDA features the kernels use: one block at a
// time, one std::thread per CUDA thread, __syncthreads as a barrier,
// __shared__ as function statics (one block at a time, so correct).
#pragma once
#include <barrier>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <thread>
#include <vector>
#include <algorithm>
struct dim3_ { unsigned x, y, z; };
thread_local dim3_ threadIdx, blockIdx;
dim3_ blockDim, gridDim;
std::barrier<>* g_bar;
#define __syncthreads() g_bar->arrive_and_wait()
#define __global__
#define __device__
#define __forceinline__ inline
#define __launch_bounds__(...)
#define __shared__ static
#define __align__(n) alignas(n)
struct float4 { float x, y, z, w; };
using std::min; using std::max;
template <class F>
void launch(dim3_ grid, dim3_ block, F f) {
	gridDim = grid; blockDim = block;
	int nt = block.x * block.y * block.z;
	for (unsigned bz = 0; bz < grid.z; bz++) for (unsigned by = 0; by < grid.y; by++) for (unsigned bx = 0; bx < grid.x; bx++) {
		std::barrier<> bar(nt); g_bar = &bar;
		std::vector<std::thread> ts;
		for (int t = 0; t < nt; t++) ts.emplace_back([=] {
			blockIdx = {bx, by, bz};
			threadIdx = {(unsigned)(t % block.x), (unsigned)(t / block.x % block.y), (unsigned)(t / (block.x * block.y))};
			f();
		});
		for (auto& t : ts) t.join();
	}
}
