// driver_check_kernels.cuh: the kernels driver_check runs, written in CUDA
// as kernels/*.cu are. driver_check.cpp compiles them through kernel_emu.h
// the way gen-family.sh compiles a family (as family "driver_check") and
// declares them to the driver in a PTX text of its own. Several are wrong
// on purpose: each bug is one a GPU would show and the stand-in must catch.

#include "cp_async.cuh" // kernels/cp_async.cuh

typedef long long i64; // integer parameters take a full 8-byte slot, as in common.cuh

// warp_sum returns the sum of v over the calling thread's warp, in every lane.
__device__ float warp_sum(float v) {
	for (int m = 16; m > 0; m >>= 1) v += __shfl_xor_sync(0xffffffff, v, m);
	return v;
}

// block_sum returns the sum of v over the block, in every thread of it
// (blockDim.x a multiple of 32): each warp adds its values by shuffles,
// thread 0 adds the warps' sums and shares the total through shared memory.
// kMissingSync leaves out the __syncthreads that keeps the other threads
// from reading the total before thread 0 has written it. Running threads in
// index order hides that race (thread 0 writes first); on a GPU any warp
// may run first, which the reverse and shuffled orders imitate.
template <bool kMissingSync>
__device__ float block_sum(float v) {
	__shared__ float warps[32];
	__shared__ float total;
	v = warp_sum(v);
	if (threadIdx.x % 32 == 0) warps[threadIdx.x / 32] = v;
	__syncthreads(); // every warp's sum is in place before thread 0 adds them
	if (threadIdx.x == 0) {
		float t = 0;
		for (unsigned w = 0; w < blockDim.x / 32; w++) t += warps[w];
		total = t;
	}
	if (!kMissingSync) __syncthreads(); // total is written before anyone reads it
	return total;
}

// block_sums sets out[i] to the sum of x over the block that i falls in.
extern "C" __global__ void block_sums(const float* x, float* out) {
	i64 i = (i64)blockIdx.x * blockDim.x + threadIdx.x;
	out[i] = block_sum<false>(x[i]);
}

// block_sums_racy is block_sums without block_sum's second __syncthreads.
extern "C" __global__ void block_sums_racy(const float* x, float* out) {
	i64 i = (i64)blockIdx.x * blockDim.x + threadIdx.x;
	out[i] = block_sum<true>(x[i]);
}

extern "C" __global__ void fill_f32(float* p, i64 n, float v) {
	for (i64 i = (i64)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (i64)gridDim.x * blockDim.x) p[i] = v;
}

// fill_through has the classic off-by-one bound: it writes p[n] too.
extern "C" __global__ void fill_through(float* p, i64 n, float v) {
	i64 i = (i64)blockIdx.x * blockDim.x + threadIdx.x;
	if (i <= n) p[i] = v;
}

extern "C" __global__ void copy_f32(const float* src, float* dst, i64 n) {
	for (i64 i = (i64)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (i64)gridDim.x * blockDim.x) dst[i] = src[i];
}

// fill_max64 is fill_f32 compiled for at most 64 threads a block: its PTX
// carries .maxntid 64, 1, 1.
extern "C" __global__ void __launch_bounds__(64) fill_max64(float* p, i64 n, float v) {
	for (i64 i = (i64)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (i64)gridDim.x * blockDim.x) p[i] = v;
}

// shared_16k uses 16 KiB of static shared memory (its PTX declares them),
// which leaves 32 KiB for dynamic shared memory unless the program opts in.
extern "C" __global__ void shared_16k(float* p) {
	__shared__ float tile[4096];
	tile[threadIdx.x] = (float)threadIdx.x;
	__syncthreads();
	p[threadIdx.x] = tile[blockDim.x - 1 - threadIdx.x];
}

// Three ways for a block's threads to disagree about where they meet; on a
// GPU each hangs or is undefined, and the stand-in must fail the launch.

// sync_in_branch: half the threads skip the barrier the others wait at.
extern "C" __global__ void sync_in_branch(float* p) {
	if (threadIdx.x < 16) __syncthreads();
	p[threadIdx.x] = 1;
}

// sync_two_sites: the two halves wait at different barriers.
extern "C" __global__ void sync_two_sites(float* p) {
	if (threadIdx.x < 16) {
		p[threadIdx.x] = 1;
		__syncthreads();
	} else {
		p[threadIdx.x] = 2;
		__syncthreads();
	}
}

// shuffle_after_return: lanes 16..31 return before a full-warp shuffle.
extern "C" __global__ void shuffle_after_return(float* p) {
	if (threadIdx.x >= 16) return;
	p[threadIdx.x] = __shfl_xor_sync(0xffffffff, (float)threadIdx.x, 1);
}

// shuffle_index runs __shfl_sync over two warps: out[3*i] is lane (lane +
// 3) % 32's value, out[3*i+1] is lane 37's (37 mod 32: lane 5) of the
// warp, out[3*i+2] lane 6's of the thread's 8-wide segment; every thread's
// value is its index in the block times 10.
extern "C" __global__ void shuffle_index(float* out) {
	unsigned lane = threadIdx.x % 32;
	float v = 10.f * threadIdx.x;
	out[3 * threadIdx.x] = __shfl_sync(0xffffffff, v, (lane + 3) % 32);
	out[3 * threadIdx.x + 1] = __shfl_sync(0xffffffff, v, 37);
	out[3 * threadIdx.x + 2] = __shfl_sync(0xffffffff, v, 6, 8);
}

// Two slow kernels (usleep is host code: the stand-in runs kernels on the
// CPU), to show what the host sees of work it has only queued.

// gated_store sleeps until the host sets *gate, an int in page-locked host
// memory (which a kernel may read), and then sets p[0] = v. The work
// queued behind it cannot have run before the host opens the gate, however
// slowly the host gets there.
extern "C" __global__ void gated_store(float* p, float v, const volatile int* gate) {
	if (blockIdx.x == 0 && threadIdx.x == 0) {
		while (!*gate) usleep(100);
		p[0] = v;
	}
}

// slow_store sleeps sleep_us and then sets p[0] = v, for event timing.
extern "C" __global__ void slow_store(float* p, float v, i64 sleep_us) {
	if (blockIdx.x == 0 && threadIdx.x == 0) {
		usleep((useconds_t)sleep_us);
		p[0] = v;
	}
}

// cp_async_stages shows when kernels/cp_async.cuh's copies land. Each
// thread t (at most 64) copies three 16-byte vectors of src to shared
// memory: vector t in one commit group, vector n+t in a second reading
// only 8 bytes (the rest zero-filled), vector 2n+t without committing it
// (n = blockDim.x). It writes its three stages to out (52 floats a thread,
// 12 a snapshot) after a barrier, with its neighbour's (t ^ 1) first stage
// then too; after wait<1>; after wait<0>; after a commit and wait<0>.
__device__ void cp_async_snapshot(float* out, const float (*s)[4 * 64], unsigned t) {
	for (int v = 0; v < 3; v++)
		for (int i = 0; i < 4; i++) out[4 * v + i] = s[v][4 * t + i];
}

extern "C" __global__ void cp_async_stages(const float* src, float* out) {
	__shared__ __align__(16) float s[3][4 * 64];
	unsigned t = threadIdx.x, n = blockDim.x;
	float* o = out + 52 * t;
	cp_async16(&s[0][4 * t], src + 4 * t, 16);
	cp_async_commit();
	cp_async16(&s[1][4 * t], src + 4 * (n + t), 8);
	cp_async_commit();
	cp_async16(&s[2][4 * t], src + 4 * (2 * n + t), 16);
	__syncthreads(); // a barrier lands no copy: only the issuing thread's wait does
	cp_async_snapshot(o, s, t);
	for (int i = 0; i < 4; i++) o[48 + i] = s[0][4 * (t ^ 1) + i];
	__syncthreads(); // every thread has read its neighbour's stage before any waits
	cp_async_wait<1>();
	cp_async_snapshot(o + 12, s, t);
	cp_async_wait<0>();
	cp_async_snapshot(o + 24, s, t);
	cp_async_commit();
	cp_async_wait<0>();
	cp_async_snapshot(o + 36, s, t);
}

// warp_flags shows how far apart the stand-in runs a block's warps between
// barriers. Each of two warps passes a shuffle, raises its flag in shared
// memory (lane 0), passes a second shuffle and reads the other warp's
// flag, with no barrier in between (a race, on purpose): out[w] is what
// warp w read. A warp run through both shuffles before the other starts
// reads 0; warps interleaved at each shuffle both read 1.
extern "C" __global__ void warp_flags(float* out) {
	__shared__ int flag[2];
	unsigned w = threadIdx.x / 32, lane = threadIdx.x % 32;
	if (lane == 0) flag[w] = 0;
	__syncthreads();
	(void)__shfl_xor_sync(0xffffffff, 0, 1);
	if (lane == 0) flag[w] = 1;
	(void)__shfl_xor_sync(0xffffffff, 0, 1);
	if (lane == 0) out[w] = (float)flag[w ^ 1];
}
