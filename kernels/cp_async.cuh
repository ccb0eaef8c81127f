// Asynchronous copies from global to shared memory (sm_80's cp.async), as
// small device functions like mma.cuh's tensor-core ones: inline PTX on
// the GPU, and under the stand-in (GOCNN_STANDIN, kernel_emu.h) a
// synchronous copy.
//
// A thread issues copies, closes them into a group with cp_async_commit,
// and waits with cp_async_wait<N> until at most N of its most recent
// groups are still in flight; only then are the bytes of the older groups
// in shared memory, for this thread: other threads see them after a
// barrier (__syncthreads) that follows their writers' waits.
//
// The stand-in's copy lands when it is issued, and commit and wait do
// nothing. That is one of the orders a GPU may take (a copy may land at
// any time between its issue and the wait), so a kernel correct on a GPU
// is correct here. It shows a misaligned copy (as a fault), a missing
// zero-fill or a wrong src-size, but
// not a missing wait, nor, in mma_pipe.cuh's loop, a copy issued before
// the barrier that frees its stage: the emulated MMAs' warp shuffles keep
// a block's warps nearly in step, and that break passed the tiled tests
// (forward and reverse order). The loop's ordering rests on its argument,
// not on a test.
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
	memcpy(dst, src, bytes);
	memset((char*)dst + bytes, 0, 16 - bytes);
#else
	unsigned s = (unsigned)__cvta_generic_to_shared(dst);
	asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;" ::"r"(s), "l"(src), "r"(bytes) : "memory");
#endif
}

// cp_async_commit closes the copies this thread issued since the last
// commit into one group (possibly empty).
__device__ __forceinline__ void cp_async_commit() {
#ifndef GOCNN_STANDIN
	asm volatile("cp.async.commit_group;" ::: "memory");
#endif
}

// cp_async_wait waits until at most N of this thread's committed groups
// are incomplete.
template <int N>
__device__ __forceinline__ void cp_async_wait() {
#ifndef GOCNN_STANDIN
	asm volatile("cp.async.wait_group %0;" ::"n"(N) : "memory");
#endif
}
