// The tensor-core tiles' multistage main loop (after CUTLASS's Ampere
// "multistage" mainloop): the operands are staged in shared memory by
// cp.async 16-byte copies (cp_async.cuh) PIPE_STAGES steps deep, and
// rounded to the tile's format (bf16 or tf32) in registers as each warp
// loads its fragments, instead of in registers on their way in
// (mma_tile.cuh's mainloop, which stays for operands whose rows are not
// 16-byte aligned: cuda chooses at launch).
//
// The tensors are fp32 in memory and a copy moves bytes, so the stages
// hold fp32: BM + BN rows of BK = 16 words a step, PIPE_STAGES = 3 steps
// (24 KiB for 64x64, 36 KiB for 128x64: static shared memory, within the
// 48 KiB a block gets without opting in). The loaders (V = 4: Dense,
// conv_gemm.cuh's Im2col) each copy E 16-byte vectors a step, zero-filled
// where the product reads padding or past its edges.
//
// Each step t of the loop waits for its own copies of step t
// (cp.async.wait_group PIPE_STAGES-2), then one barrier: after it every
// thread's copies of step t are visible, and every warp has finished
// reading step t-1's stage, which the copies of step t+PIPE_STAGES-1 then
// overwrite while the warps multiply step t. A group is committed every
// step, empty past the end, so that the count of groups in flight stays
// exact.
//
// The rounding is the register path's: bf16 to nearest even, two values
// a register (pack_bf16x2, cvt.rn.bf16x2.f32 on the GPU); tf32 by
// tf32_bits; so results are bit for bit the same as mma_tile.cuh's
// mainloop's.
#pragma once
#include "mma_tile.cuh"

#define PIPE_STAGES 3

// F32Stage lays out one operand's fp32 step in shared memory, ROWS rows
// of BK = 16, so that a 16-byte vector of the loader's (4 consecutive k
// when KMAJOR, else 4 consecutive rows) is contiguous and 16-byte aligned,
// and a warp's fragment loads fall on distinct banks:
//   - KMAJOR: rows of 16 words, 4-word chunk c of row r at chunk
//     c ^ ((r>>1)&1)<<1 ^ ((r>>2)&1). A tf32 fragment load (rows g and
//     g+8 of a slab, words t and t+4: lane (g, t)) and a bf16 one (a
//     64-bit pair at words 2t, 2t+1, each half-warp 4 rows) then meet 32
//     distinct banks.
//   - otherwise: 16 k-rows of ROWS words, 4-row chunk c of k-row k at
//     c ^ ((k>>1)&1)<<2 ^ ((k^(k>>2))&1)<<1, which spreads the 8 chunks
//     of a 32-word bank cycle over the 4 values of k that one load
//     reads (k0+t, k0+t+4 at tf32; k0+2t, k0+2t+1 at bf16).
template <int ROWS, bool KMAJOR>
struct F32Stage {
	static_assert(ROWS % 32 == 0, "a stage's k-rows span whole bank cycles");
	static __device__ __forceinline__ int off(int r, int k) {
		if (KMAJOR) return r * 16 + ((((k >> 2) ^ ((r >> 1) & 1) << 1 ^ ((r >> 2) & 1))) << 2 | (k & 3));
		return k * ROWS + ((((r >> 2) ^ ((k >> 1) & 1) << 2 ^ ((k ^ (k >> 2)) & 1) << 1)) << 2 | (r & 3));
	}
	// pair reads elements (r, k) and (r, k+1), k even: one 64-bit load
	// when KMAJOR (the two words share a chunk).
	static __device__ __forceinline__ void pair(const float* s, int r, int k, float* lo, float* hi) {
#ifndef GOCNN_STANDIN
		if (KMAJOR) {
			float2 v = *reinterpret_cast<const float2*>(s + off(r, k));
			*lo = v.x, *hi = v.y;
			return;
		}
#endif
		*lo = s[off(r, k)], *hi = s[off(r, k + 1)];
	}
};

// Frag builds a format's fragments from fp32 stages and multiplies them:
// KS, the depth of one MMA; a, lane (g, t)'s A fragment of the 16-row
// slab at row r and depth k0; b, its B fragment of the 8 columns at n.
template <class F>
struct Frag;

// The bf16 fragments of mma.m16n8k16 (mma.cuh): a0..a7 = A[g][2t, 2t+1],
// A[g+8][2t, 2t+1], A[g][2t+8, 2t+9], A[g+8][2t+8, 2t+9]; b0..b3 =
// B[2t, 2t+1][g], B[2t+8, 2t+9][g], two a register.
template <>
struct Frag<BF16Fmt> {
	enum { KS = 16 };
	template <class S>
	static __device__ __forceinline__ unsigned pack(const float* s, int r, int k) {
		float lo, hi;
		S::pair(s, r, k, &lo, &hi);
		return pack_bf16x2(lo, hi);
	}
	template <class S>
	static __device__ __forceinline__ void a(const float* s, int r, int k0, unsigned f[4]) {
		int lane = threadIdx.x % 32, g = lane / 4, k = k0 + 2 * (lane % 4);
		f[0] = pack<S>(s, r + g, k), f[1] = pack<S>(s, r + g + 8, k);
		f[2] = pack<S>(s, r + g, k + 8), f[3] = pack<S>(s, r + g + 8, k + 8);
	}
	template <class S>
	static __device__ __forceinline__ void b(const float* s, int n, int k0, unsigned f[2]) {
		int lane = threadIdx.x % 32, g = lane / 4, k = k0 + 2 * (lane % 4);
		f[0] = pack<S>(s, n + g, k), f[1] = pack<S>(s, n + g, k + 8);
	}
	static __device__ __forceinline__ void mma(float d[4], const unsigned a[4], const unsigned b[2]) {
		mma_bf16_m16n8k16(d, a, b, d);
	}
};

// The tf32 fragments of mma.m16n8k8: a0..a3 = A[g][t], A[g+8][t],
// A[g][t+4], A[g+8][t+4]; b0, b1 = B[t][g], B[t+4][g].
template <>
struct Frag<TF32Fmt> {
	enum { KS = 8 };
	template <class S>
	static __device__ __forceinline__ void a(const float* s, int r, int k0, unsigned f[4]) {
		int lane = threadIdx.x % 32, g = lane / 4, k = k0 + lane % 4;
		f[0] = tf32_bits(s[S::off(r + g, k)]), f[1] = tf32_bits(s[S::off(r + g + 8, k)]);
		f[2] = tf32_bits(s[S::off(r + g, k + 4)]), f[3] = tf32_bits(s[S::off(r + g + 8, k + 4)]);
	}
	template <class S>
	static __device__ __forceinline__ void b(const float* s, int n, int k0, unsigned f[2]) {
		int lane = threadIdx.x % 32, g = lane / 4, k = k0 + lane % 4;
		f[0] = tf32_bits(s[S::off(n + g, k)]), f[1] = tf32_bits(s[S::off(n + g, k + 4)]);
	}
	static __device__ __forceinline__ void mma(float d[4], const unsigned a[4], const unsigned b[2]) {
		mma_tf32_m16n8k8(d, a, b, d);
	}
};

// mma_step_f32 multiplies one fp32 step into acc: the warp's A rows
// [wm, wm+WM) of as (laid out by SA), B columns [wn, wn+WN) of bs (SB).
template <class C, class SA, class SB>
__device__ __forceinline__ void mma_step_f32(const float* as, const float* bs, int wm, int wn, MmaAcc<C>& acc) {
	typedef Frag<typename C::Fmt> P;
#pragma unroll
	for (int k0 = 0; k0 < C::BK; k0 += P::KS) {
		unsigned af[C::FM][4], bf[C::FN][2];
#pragma unroll
		for (int i = 0; i < C::FM; i++) P::template a<SA>(as, wm + 16 * i, k0, af[i]);
#pragma unroll
		for (int j = 0; j < C::FN; j++) P::template b<SB>(bs, wn + 8 * j, k0, bf[j]);
#pragma unroll
		for (int i = 0; i < C::FM; i++)
#pragma unroll
			for (int j = 0; j < C::FN; j++) P::mma(acc.v[i][j], af[i], bf[j]);
	}
}

// pipe_stages returns the block's stages, A's then B's: one array for
// every kernel of a tile shape.
template <int BM, int BN>
__device__ __forceinline__ float* pipe_stages() {
	__shared__ __align__(128) float s[PIPE_STAGES * (BM + BN) * 16];
	return s;
}

// mainloop_pipe sets acc to the product of kTiles steps of la's A and
// lb's B (V = 4 loaders), in C's format with fp32 accumulation. kTiles is
// the same for the whole block (it synchronises).
template <class C, class LA, class LB>
__device__ __forceinline__ void mainloop_pipe(LA& la, LB& lb, int kTiles, MmaAcc<C>& acc) {
	static_assert(LA::V == 4 && LB::V == 4 && LA::E * 4 == C::EA && LB::E * 4 == C::EB,
	              "loaders do not match the tile");
	typedef F32Stage<C::BM, LA::KMAJOR> SA;
	typedef F32Stage<C::BN, LB::KMAJOR> SB;
	enum { S = PIPE_STAGES, A = C::BM * 16, B = C::BN * 16 };
	float* as = pipe_stages<C::BM, C::BN>();
	float* bs = as + S * A;
	int wm, wn;
	C::warp_origin(threadIdx.x / 32, &wm, &wn);
	acc.clear();
	if (kTiles <= 0) return;
#pragma unroll
	for (int s = 0; s < S - 1; s++) {
		if (s < kTiles) {
			la.template copy<SA>(as + s * A);
			lb.template copy<SB>(bs + s * B);
			la.next();
			lb.next();
		}
		cp_async_commit();
	}
	int rd = 0, wr = S - 1; // the stages of step t and of step t+S-1
	for (int t = 0; t < kTiles; t++) {
		cp_async_wait<S - 2>(); // this thread's copies of step t have landed
		__syncthreads();        // everyone's have; step t-1's stage is free
		if (t + S - 1 < kTiles) {
			la.template copy<SA>(as + wr * A);
			lb.template copy<SB>(bs + wr * B);
			la.next();
			lb.next();
		}
		cp_async_commit();
		mma_step_f32<C, SA, SB>(as + rd * A, bs + rd * B, wm, wn, acc);
		rd = rd == S - 1 ? 0 : rd + 1;
		wr = wr == S - 1 ? 0 : wr + 1;
	}
	cp_async_wait<0>(); // only empty groups remain: nothing is left in flight
}
