// The tensor-core main loop that conv_bf16.cu, gemm_bf16.cu and their
// tf32 twins share: the counterpart of gemm_tile.cuh's SIMT loop, driven
// by the same loaders (Dense, and conv_gemm.cuh's implicit-GEMM gathers),
// in one of two formats (BF16Fmt, TF32Fmt; the tf32 form is described
// after the bf16 one below).
//
// A block of T = 32*WARPS_M*WARPS_N threads computes a BM x BN tile of
// C = A * B in steps of BK = 16 along the reduction. Each step, the
// loaders' fp32 elements are rounded to bf16 (to nearest even, as
// autograd.BF16.Round) in registers and stored into shared memory, where A
// is held as BM rows and B as BN rows of 16 bf16 values (32 bytes: two
// 16-byte chunks, the second chunk first in every other group of four
// rows, an XOR swizzle that puts the 8 rows an ldmatrix phase reads on
// distinct banks). Each warp owns a WM x WN piece of the tile, and per
// step loads its fragments with ldmatrix_x4 (A: one per 16 rows; B: one
// per 16 columns, two m16n8k16 B fragments) and issues (WM/16)*(WN/8)
// mma_bf16_m16n8k16. Shared memory holds two steps: while the warps
// multiply one, each thread's loads of the next are in flight into
// registers, then stored into the other, one barrier a step.
//
// This register-staged loop is the fallback: where every row of both
// operands starts 16-byte aligned, the kernels run mma_pipe.cuh's
// cp.async pipeline instead (PIPE_STAGES steps of fp32 in shared memory,
// rounded to the format as fragments are loaded; the same results bit for
// bit). cp.async copies bytes unchanged, so it cannot round on the way
// in, and it cannot gather rows that are not 16-byte aligned (a 3-channel
// stem, odd leading dimensions): those stay here, as do the backward
// convolution passes for now.
//
// TF32: the same loop with elements rounded to TF32 (autograd.TF32.Round)
// and staged as 32-bit words, rows of 16 words (64 bytes) with word k of
// row r at k ^ 4*((r/2)%4), so that the 32 words a fragment load reads (8
// rows, 4 consecutive k) lie on distinct banks; each BK = 16 step is two
// k8 halves, each (WM/16)*(WN/8) mma_tf32_m16n8k8 on fragments read word
// by word (ldmatrix moves 16-bit elements in pairs, of no use here).
//
// Every partial sum is fp32 (the MMA's accumulators); elements the loaders
// place outside the product are zeros, which add nothing.
#pragma once
#include "gemm_tile.cuh"
#include "mma.cuh"

// swz returns the offset, in bf16 elements, of element (row, k) of a
// shared-memory operand of 16-wide rows: 16-byte chunk k/8 of the row is
// stored at chunk (k/8) ^ ((row/4) % 2).
__device__ __forceinline__ int swz(int row, int k) { return row * 16 + (((k >> 3) ^ ((row >> 2) & 1)) << 3) + (k & 7); }

// swz32 returns the offset, in 32-bit words, of element (row, k) of a
// TF32 operand of 16-word rows: word k ^ 4*((row/2)%4).
__device__ __forceinline__ int swz32(int row, int k) { return row * 16 + (k ^ (((row >> 1) & 3) << 2)); }

// BF16Fmt and TF32Fmt are the tiles' formats: elem, how an operand is
// held in shared memory; bits, an fp32 value rounded to the format as an
// elem; off, where element (row, k) lies; round, a result rounded.
struct BF16Fmt {
	typedef unsigned short elem;
	static __device__ __forceinline__ elem bits(float x) { return (elem)bf16_bits(x); }
	static __device__ __forceinline__ int off(int row, int k) { return swz(row, k); }
	static __device__ __forceinline__ float round(float x) { return bf16_round(x); }
};
struct TF32Fmt {
	typedef unsigned elem;
	static __device__ __forceinline__ elem bits(float x) { return tf32_bits(x); }
	static __device__ __forceinline__ int off(int row, int k) { return swz32(row, k); }
	static __device__ __forceinline__ float round(float x) { return tf32_round(x); }
};

// MmaTile is one tensor-core configuration: BM x BN outputs per block from
// WARPS_M x WARPS_N warps, each WM x WN (multiples of 16), BK = 16 deep
// steps, in format F; EA and EB elements of A and B loaded per thread and
// step.
template <int BM_, int BN_, int WARPS_M, int WARPS_N, class F>
struct MmaTile {
	typedef F Fmt;
	enum {
		BM = BM_, BN = BN_, BK = 16,
		T = 32 * WARPS_M * WARPS_N,
		WM = BM / WARPS_M, WN = BN / WARPS_N,
		FM = WM / 16, FN = WN / 8, // m16n8 tiles per warp
		EA = BM * BK / T, EB = BN * BK / T,
	};
	static_assert(WM % 16 == 0 && WN % 16 == 0, "warp tile must be a multiple of 16x16");
	// warp_origin sets *wm and *wn to the first row and column of warp's
	// WM x WN piece of the block's tile (warps in row-major order).
	static __device__ __forceinline__ void warp_origin(int warp, int* wm, int* wn) {
		*wm = warp / WARPS_N * WM, *wn = warp % WARPS_N * WN;
	}
};

// BF16Tile: 64x64 from four warps of 32x32 (8 MMAs a warp and step).
typedef MmaTile<64, 64, 2, 2, BF16Fmt> BF16Tile;
// TF32Tile: the same in TF32 (16 m16n8k8 MMAs a warp and step).
typedef MmaTile<64, 64, 2, 2, TF32Fmt> TF32Tile;
// BF16Tall and TF32Tall: 128x64 from four warps of 64x32 (twice the MMAs
// a warp and step, half the shared-memory reads per MMA of B), for the
// products of gemm_bf16.cu and gemm_tf32.cu and the convolutions of
// conv_bf16.cu and conv_tf32.cu: ptxas for sm_90 gives them 231-255
// registers, no spills, two blocks per SM (held to that by their
// __launch_bounds__; docs/tiles.md).
typedef MmaTile<128, 64, 2, 2, BF16Fmt> BF16Tall;
typedef MmaTile<128, 64, 2, 2, TF32Fmt> TF32Tall;

// MmaAcc is one lane's fragments of its warp's accumulators: acc[i][j]
// holds c0..c3 of the warp's m16n8 tile (i, j).
template <class C>
struct MmaAcc {
	float v[C::FM][C::FN][4];
	// clear sets every accumulator to zero.
	__device__ __forceinline__ void clear() {
#pragma unroll
		for (int i = 0; i < C::FM; i++)
#pragma unroll
			for (int j = 0; j < C::FN; j++)
#pragma unroll
				for (int e = 0; e < 4; e++) v[i][j][e] = 0.f;
	}
};

template <int BM, int BN, int WM, int WN, class F>
struct AccOf<MmaTile<BM, BN, WM, WN, F>> {
	typedef MmaAcc<MmaTile<BM, BN, WM, WN, F>> type;
};

// stage rounds one step's loaded elements to format F and stores them
// into an operand's shared memory s (ROWS rows of 16).
template <class F, int ROWS, int T, bool KMAJOR, int E>
__device__ __forceinline__ void stage(typename F::elem* s, const float* v) {
#pragma unroll
	for (int e = 0; e < E; e++) {
		int r, k;
		tile_pos<ROWS, 16, T, KMAJOR>(threadIdx.x, e, &r, &k);
		s[F::off(r, k)] = F::bits(v[e]);
	}
}

// mma_step multiplies one bf16 step held in shared memory into acc: the warp's
// A rows [wm, wm+WM) of as, B columns [wn, wn+WN) of bs.
template <class C>
__device__ __forceinline__ void mma_step(const unsigned short* as, const unsigned short* bs, int wm, int wn,
                                         MmaAcc<C>& acc) {
	int lane = threadIdx.x % 32;
	unsigned af[C::FM][4], bf[C::FN][2];
	// A: lane l gives row l%16 of the 16-row slab, chunk l/16 (matrices:
	// rows 0-7 k 0-7, rows 8-15 k 0-7, rows 0-7 k 8-15, rows 8-15 k 8-15).
#pragma unroll
	for (int i = 0; i < C::FM; i++) ldmatrix_x4(af[i], as + swz(wm + 16 * i + lane % 16, 8 * (lane / 16)));
	// B: lane l gives row (column of B) 8*(l/16) + l%8, chunk (l/8)%2
	// (matrices: n 0-7 k 0-7, n 0-7 k 8-15, n 8-15 k 0-7, n 8-15 k 8-15),
	// the B fragments of two n8 tiles.
#pragma unroll
	for (int j = 0; j < C::FN; j += 2) {
		unsigned r[4];
		ldmatrix_x4(r, bs + swz(wn + 8 * j + 8 * (lane / 16) + lane % 8, 8 * ((lane / 8) % 2)));
		bf[j][0] = r[0], bf[j][1] = r[1], bf[j + 1][0] = r[2], bf[j + 1][1] = r[3];
	}
#pragma unroll
	for (int i = 0; i < C::FM; i++)
#pragma unroll
		for (int j = 0; j < C::FN; j++) mma_bf16_m16n8k16(acc.v[i][j], af[i], bf[j], acc.v[i][j]);
}

// mma_step multiplies one TF32 step, as two k8 halves: lane (g, t) =
// (lane/4, lane%4) reads a0..a3 = A[g][t], A[g+8][t], A[g][t+4],
// A[g+8][t+4] of each 16-row slab and b0, b1 = B[t][g], B[t+4][g] of each
// 8-column one (B held as rows of its columns).
template <class C>
__device__ __forceinline__ void mma_step(const unsigned* as, const unsigned* bs, int wm, int wn, MmaAcc<C>& acc) {
	int lane = threadIdx.x % 32, g = lane / 4, t = lane % 4;
#pragma unroll
	for (int k0 = 0; k0 < 16; k0 += 8) {
		unsigned af[C::FM][4], bf[C::FN][2];
#pragma unroll
		for (int i = 0; i < C::FM; i++) {
			int r = wm + 16 * i + g;
			af[i][0] = as[swz32(r, k0 + t)], af[i][1] = as[swz32(r + 8, k0 + t)];
			af[i][2] = as[swz32(r, k0 + t + 4)], af[i][3] = as[swz32(r + 8, k0 + t + 4)];
		}
#pragma unroll
		for (int j = 0; j < C::FN; j++) {
			int n = wn + 8 * j + g;
			bf[j][0] = bs[swz32(n, k0 + t)], bf[j][1] = bs[swz32(n, k0 + t + 4)];
		}
#pragma unroll
		for (int i = 0; i < C::FM; i++)
#pragma unroll
			for (int j = 0; j < C::FN; j++) mma_tf32_m16n8k8(acc.v[i][j], af[i], bf[j], acc.v[i][j]);
	}
}

// mainloop sets acc to the product of kTiles steps of la's A and lb's B,
// in C's format with fp32 accumulation. kTiles is the same for the whole block
// (it synchronises).
template <class C, class LA, class LB>
__device__ __forceinline__ void mainloop(LA& la, LB& lb, int kTiles, MmaAcc<C>& acc) {
	static_assert(LA::E == C::EA && LB::E == C::EB, "loader does not match the tile");
	typedef typename C::Fmt F;
	__shared__ __align__(128) typename F::elem As[2][C::BM * 16];
	__shared__ __align__(128) typename F::elem Bs[2][C::BN * 16];
	int wm, wn;
	C::warp_origin(threadIdx.x / 32, &wm, &wn);
	acc.clear();
	if (kTiles <= 0) return;
	float ra[C::EA], rb[C::EB];
	la.load(ra);
	lb.load(rb);
	stage<F, C::BM, C::T, LA::KMAJOR, C::EA>(As[0], ra);
	stage<F, C::BN, C::T, LB::KMAJOR, C::EB>(Bs[0], rb);
	__syncthreads();
	for (int t = 0; t < kTiles; t++) {
		bool more = t + 1 < kTiles;
		if (more) { // the next step's loads overlap this step's math
			la.next();
			lb.next();
			la.load(ra);
			lb.load(rb);
		}
		mma_step<C>(As[t & 1], Bs[t & 1], wm, wn, acc);
		if (more) { // the other buffer was last read before the previous barrier
			stage<F, C::BM, C::T, LA::KMAJOR, C::EA>(As[(t + 1) & 1], ra);
			stage<F, C::BN, C::T, LB::KMAJOR, C::EB>(Bs[(t + 1) & 1], rb);
		}
		__syncthreads();
	}
}

// store writes the block's tile of c (row0, col0 its corner; (m, n) the
// whole matrix, row r at c + rows(r), gemm_tile.cuh's RowStride or
// conv_phase.cuh's PhaseRows): c = alpha*acc + beta*c, c not read when
// beta is 0, rounded to C's format when final (a split's partial sums are
// stored in fp32 and rounded once summed), then passed through epi
// (gemm_tile.cuh's BiasReLU: the bias added to the rounded result).
template <class C, class Rows, class Epi = NoEpilogue>
__device__ __forceinline__ void store(const MmaAcc<C>& acc, float* c, const Rows& rows, int m, int n, int row0,
                                      int col0, float alpha, float beta, bool final = true, const Epi& epi = Epi()) {
	int lane = threadIdx.x % 32, wm, wn;
	C::warp_origin(threadIdx.x / 32, &wm, &wn);
	int r0 = row0 + wm + lane / 4, c0 = col0 + wn + 2 * (lane % 4);
#pragma unroll
	for (int i = 0; i < C::FM; i++)
#pragma unroll
		for (int j = 0; j < C::FN; j++)
#pragma unroll
			for (int e = 0; e < 4; e++) {
				// c0, c1: row g, columns 2t, 2t+1; c2, c3: row g+8.
				int r = r0 + 16 * i + 8 * (e / 2), cc = c0 + 8 * j + e % 2;
				if (r >= m || cc >= n) continue;
				float* p = c + rows(r) + cc;
				float v = beta == 0.f ? alpha * acc.v[i][j][e] : alpha * acc.v[i][j][e] + beta * *p;
				*p = epi(final ? C::Fmt::round(v) : v, cc);
			}
}
