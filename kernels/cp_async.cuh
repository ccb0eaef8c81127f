// Asynchronous copies from global to shared memory (sm_80's cp.async), as
// small device functions like mma.cuh's tensor-core ones: inline PTX on
// the GPU, and under the stand-in (GOCNN_STANDIN, kernel_emu.h) a queue
// of copies per emulated thread (cuda/standin/async_copy.h).
//
// A thread issues copies, closes them into a group with cp_async_commit,
// and waits with cp_async_wait<N> until at most N of its most recent
// groups are still in flight; only then are the bytes of the older groups
// in shared memory, for this thread: other threads see them after a
// barrier (__syncthreads) that follows their writers' waits.
//
// The stand-in takes the latest order a GPU allows: a copy reads its
// source at the issue, writes 0xFF bytes over its destination (NaN as
// fp32 and as bf16), and lands only at the issuing thread's
// cp_async_wait that must see it (its group older than the newest N);
// barriers land nothing, and copies a thread never waits for are dropped
// when it exits. A read of a stage before its copies officially land
// therefore reads NaN, which the results carry. Under the stand-in this
// catches:
//   - a missing or too weak wait: mma_pipe.cuh's cp_async_wait<1> made
//     wait<2> fails the pipelined tests;
//   - in mma_pipe.cuh's loop, a copy issued before the barrier that frees
//     its stage: in forward and reverse order (GOCNN_SIM_ORDER) the
//     stand-in runs each warp through its shuffles to its next barrier
//     before another warp resumes, so the copies for step t+2 of the warp
//     that runs first poison step t-1's stage (or, landed, overwrite it)
//     before the other warps have read it; moving the copies above the barrier fails
//     the pipelined tests in both orders. In shuffled order warps
//     interleave at every warp shuffle, and the emulated MMAs' shuffles
//     keep them in step: there the break passes;
//   - a misaligned copy (as a fault), a missing zero-fill, a wrong
//     src-size.
// It does not catch a bug that needs a copy to land early (before the
// wait): none lands early here. Poison shows only through what the kernel
// stores: an early read of a stage's padding or of rows past the output's
// edges, which no stored result depends on, passes (as it would on a GPU).
#pragma once

// cp_async16 copies the 16 bytes at src (global memory, 16-byte aligned)
// to dst (shared memory, 16-byte aligned), of which only the first bytes
// (0, 4, 8, 12 or 16) are read and the rest are written as zeros:
// cp.async.cg.shared.global with its src-size operand, which bypasses L1.
// With bytes 0 nothing is read (src must still be a valid address).
__device__ __forceinline__ void cp_async16(void* dst, const void* src, int bytes) {
#ifdef GOCNN_STANDIN
#ifdef __x86_64__
	// A GPU faults on a misaligned cp.async; an aligned SSE load from the
	// misaligned address faults here too (the stand-in reports
	// CUDA_ERROR_MISALIGNED_ADDRESS).
	if (((unsigned long)src | (unsigned long)dst) & 15) {
		const void* bad = ((unsigned long)src & 15) ? src : dst;
		asm volatile("movaps (%0), %%xmm0" ::"r"(bad) : "xmm0");
	}
#endif
	::standin::cp_async_issue(dst, src, bytes);
#else
	unsigned s = (unsigned)__cvta_generic_to_shared(dst);
	asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;" ::"r"(s), "l"(src), "r"(bytes) : "memory");
#endif
}

// cp_async_commit closes the copies this thread issued since the last
// commit into one group (possibly empty).
__device__ __forceinline__ void cp_async_commit() {
#ifdef GOCNN_STANDIN
	::standin::cp_async_commit();
#else
	asm volatile("cp.async.commit_group;" ::: "memory");
#endif
}

// cp_async_wait waits until at most N of this thread's committed groups
// are incomplete.
template <int N>
__device__ __forceinline__ void cp_async_wait() {
#ifdef GOCNN_STANDIN
	::standin::cp_async_wait(N);
#else
	asm volatile("cp.async.wait_group %0;" ::"n"(N) : "memory");
#endif
}
