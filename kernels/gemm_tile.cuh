// The tiled SGEMM main loop that gemm.cu and conv.cu share.
//
// A block computes a BM x BN tile of C = A * B, where A is (M, Kred) and B
// is (Kred, N), walking Kred in steps of BK. Loaders hide where elements of
// A and B come from (a plain matrix, an implicit im2col of an NHWC tensor,
// a flipped filter): each thread loads its few elements of the next step
// into registers while the block multiplies the current step out of shared
// memory, then stores them; every thread keeps a TM x TN block of C in
// registers (register blocking). Each k step adds into every accumulator
// in the order of k, so a result depends only on the inputs and the tile
// configuration.
#pragma once
#include "common.cuh"
#include "cp_async.cuh"

// Tile is one configuration: BM x BN outputs per block, BK deep steps,
// TM x TN outputs per thread (multiples of 4, read from shared memory as
// float4), T threads, EA and EB elements of A and B loaded per thread and
// step.
template <int BM_, int BN_, int BK_, int TM_, int TN_>
struct Tile {
	enum {
		BM = BM_, BN = BN_, BK = BK_, TM = TM_, TN = TN_,
		T = (BM / TM) * (BN / TN),
		EA = BM * BK / T,
		EB = BN * BK / T,
	};
};

// Big suits large products; Small gives four times the blocks for the
// products (late layers, small batches) where Big would leave SMs idle.
// Tall is Big's rows over 64 columns, with Big's 8x8 outputs a thread
// (128 threads): the tile of 64-channel layers, which leave half of
// Big's columns empty. cuda's plan picks among the three by padded work.
typedef Tile<128, 128, 8, 8, 8> Big;
typedef Tile<64, 64, 16, 4, 4> Small;
typedef Tile<128, 64, 8, 8, 8> Tall;

// tile_pos places element e of thread tid in a ROWS x BK step of a loader:
// with KMAJOR, consecutive threads take consecutive k (memory contiguous
// along the reduction), otherwise consecutive rows.
template <int ROWS, int BK, int T, bool KMAJOR>
__device__ __forceinline__ void tile_pos(int tid, int e, int* row, int* k) {
	int idx = tid + e * T;
	if (KMAJOR) {
		*k = idx % BK;
		*row = idx / BK;
	} else {
		*row = idx % ROWS;
		*k = idx / ROWS;
	}
}

// vec_pos places vector e of thread tid, V elements contiguous in memory
// (along k when KMAJOR, else along the rows), in a ROWS x BK step: its
// first element's (row, k). With V = 1 it is tile_pos.
template <int ROWS, int BK, int T, bool KMAJOR, int V>
__device__ __forceinline__ void vec_pos(int tid, int e, int* row, int* k) {
	if (KMAJOR) {
		tile_pos<ROWS, BK / V, T, true>(tid, e, row, k);
		*k *= V;
	} else {
		tile_pos<ROWS / V, BK, T, false>(tid, e, row, k);
		*row *= V;
	}
}

// Dense loads a matrix whose element (row, k) lies at p[row*rs + k*ks]
// (both strides in elements), zero outside rows x kext. With V = 1 a
// thread loads E elements a step into registers (load); with V = 4 it
// copies E vectors of 4 elements (16 bytes) into shared memory (copy,
// mma_pipe.cuh's pipeline), which needs the contiguous dimension's
// stride to be 1 and the other's, and p, 16-byte aligned.
template <int ROWS, int BK, int T, bool KMAJOR_, int V_ = 1>
struct Dense {
	enum { E = ROWS * BK / (T * V_), V = V_ };
	static constexpr bool KMAJOR = KMAJOR_;
	const float* p;
	i64 rs, ks;
	int rows, kext;
	int row[E], k[E];

	__device__ __forceinline__ Dense(const float* p_, i64 rs_, i64 ks_, int rows_, int kext_, int row0)
	    : p(p_), rs(rs_), ks(ks_), rows(rows_), kext(kext_) {
#pragma unroll
		for (int e = 0; e < E; e++) {
			int r, kk;
			vec_pos<ROWS, BK, T, KMAJOR, V>(threadIdx.x, e, &r, &kk);
			row[e] = row0 + r;
			k[e] = kk;
		}
	}
	__device__ __forceinline__ void load(float* v) const {
#pragma unroll
		for (int e = 0; e < E; e++) v[e] = (row[e] < rows && k[e] < kext) ? p[row[e] * rs + k[e] * ks] : 0.f;
	}
	// copy issues this thread's cp.async copies of the step into s, laid
	// out by Stage (mma_pipe.cuh's F32Stage); the elements past rows or
	// kext are zero-filled, not read.
	template <class Stage>
	__device__ __forceinline__ void copy(float* s) const {
		static_assert(V == 4, "copy moves 16-byte vectors");
#pragma unroll
		for (int e = 0; e < E; e++) {
			int r, kk;
			vec_pos<ROWS, BK, T, KMAJOR, V>(threadIdx.x, e, &r, &kk);
			int n = KMAJOR ? (row[e] < rows ? min(max(kext - k[e], 0), 4) : 0)
			               : (k[e] < kext ? min(max(rows - row[e], 0), 4) : 0);
			cp_async16(s + Stage::off(r, kk), n ? p + row[e] * rs + k[e] * ks : p, 4 * n);
		}
	}
	__device__ __forceinline__ void next() {
#pragma unroll
		for (int e = 0; e < E; e++) k[e] += BK;
	}
};

// Acc is one thread's block of C. Thread (ty, tx) owns rows
// g*(BM*4/TM) + ty*4 + i (i < 4, g < TM/4) and likewise columns, so that a
// warp's float4 reads of shared memory fall on distinct banks.
template <class C>
struct Acc {
	float v[C::TM][C::TN];

	__device__ __forceinline__ static int row(int i) {
		return (i / 4) * (C::BM * 4 / C::TM) + (threadIdx.x / (C::BN / C::TN)) * 4 + i % 4;
	}
	__device__ __forceinline__ static int col(int j) {
		return (j / 4) * (C::BN * 4 / C::TN) + (threadIdx.x % (C::BN / C::TN)) * 4 + j % 4;
	}
};

// AccOf names a configuration's accumulators: Acc for the SIMT tiles
// here, MmaAcc for mma_tile.cuh's tensor-core tiles, whose mainloop and
// store overload these.
template <class C>
struct AccOf {
	typedef Acc<C> type;
};

// mainloop sets acc to the product of kTiles steps of la's A and lb's B.
// kTiles is the same for the whole block (it synchronises).
template <class C, class LA, class LB>
__device__ __forceinline__ void mainloop(LA& la, LB& lb, int kTiles, Acc<C>& acc) {
	static_assert(LA::E == C::EA && LB::E == C::EB, "loader does not match the tile");
	__shared__ __align__(16) float As[C::BK][C::BM + 4]; // (BK, BM): A transposed
	__shared__ __align__(16) float Bs[C::BK][C::BN + 4]; // (BK, BN)
	const int tid = threadIdx.x;
	const int ty = tid / (C::BN / C::TN), tx = tid % (C::BN / C::TN);
#pragma unroll
	for (int i = 0; i < C::TM; i++)
#pragma unroll
		for (int j = 0; j < C::TN; j++) acc.v[i][j] = 0.f;
	if (kTiles <= 0) return;
	float ra[C::EA], rb[C::EB];
	la.load(ra);
	lb.load(rb);
	for (int t = 0; t < kTiles; t++) {
#pragma unroll
		for (int e = 0; e < C::EA; e++) {
			int r, k;
			tile_pos<C::BM, C::BK, C::T, LA::KMAJOR>(tid, e, &r, &k);
			As[k][r] = ra[e];
		}
#pragma unroll
		for (int e = 0; e < C::EB; e++) {
			int r, k;
			tile_pos<C::BN, C::BK, C::T, LB::KMAJOR>(tid, e, &r, &k);
			Bs[k][r] = rb[e];
		}
		__syncthreads();
		if (t + 1 < kTiles) { // the next step's loads overlap this step's math
			la.next();
			lb.next();
			la.load(ra);
			lb.load(rb);
		}
#pragma unroll
		for (int k = 0; k < C::BK; k++) {
			float a[C::TM], b[C::TN];
#pragma unroll
			for (int g = 0; g < C::TM / 4; g++) {
				float4 v = *reinterpret_cast<const float4*>(&As[k][g * (C::BM * 4 / C::TM) + ty * 4]);
				a[g * 4] = v.x, a[g * 4 + 1] = v.y, a[g * 4 + 2] = v.z, a[g * 4 + 3] = v.w;
			}
#pragma unroll
			for (int g = 0; g < C::TN / 4; g++) {
				float4 v = *reinterpret_cast<const float4*>(&Bs[k][g * (C::BN * 4 / C::TN) + tx * 4]);
				b[g * 4] = v.x, b[g * 4 + 1] = v.y, b[g * 4 + 2] = v.z, b[g * 4 + 3] = v.w;
			}
#pragma unroll
			for (int i = 0; i < C::TM; i++)
#pragma unroll
				for (int j = 0; j < C::TN; j++) acc.v[i][j] = fmaf(a[i], b[j], acc.v[i][j]);
		}
		__syncthreads();
	}
}

// RowStride places row r of a row-major matrix at r*ld elements, for
// store; conv_phase.cuh's PhaseRows places the rows of a phase instead.
struct RowStride {
	i64 ld;
	__device__ __forceinline__ i64 operator()(int r) const { return r * ld; }
};

// NoEpilogue leaves the values store writes as they are: the products,
// the backward passes, a split's partial sums.
struct NoEpilogue {
	__device__ __forceinline__ float operator()(float v, int) const { return v; }
};

// BiasReLU is the convolution forward's epilogue (cuda's Conv2DBias):
// v + bias[col] in one fp32 rounding, as add_bias_f32 adds (bias null:
// nothing), then, with relu, activation_f32's ReLU. store applies it to
// each result after rounding it to the tile's format, so the bits are
// those of the convolution, add_bias_f32 and activation_f32 in turn. (The
// forward stores with alpha 1 and beta 0, so should the compiler contract
// alpha*acc + bias into one fma, that still rounds once, as the add does.)
struct BiasReLU {
	const float* bias; // at the group's first filter, or null
	bool relu;
	__device__ __forceinline__ float operator()(float v, int col) const {
		if (bias) v += bias[col];
		return relu ? act_forward(ACT_RELU, v) : v;
	}
};

// store writes the block's tile of c (row0, col0 its corner; (m, n) the
// whole matrix, row r at c + rows(r)): c = epi(alpha*acc + beta*c, column),
// c not read when beta is 0. final (whether these are results, not a
// split's partial sums) matters only to formats narrower than fp32, which
// round results (before epi).
template <class C, class Rows, class Epi = NoEpilogue>
__device__ __forceinline__ void store(const Acc<C>& acc, float* c, const Rows& rows, int m, int n, int row0,
                                      int col0, float alpha, float beta, bool final = true, const Epi& epi = Epi()) {
#pragma unroll
	for (int i = 0; i < C::TM; i++) {
		int r = row0 + Acc<C>::row(i);
		if (r >= m) continue;
		float* row = c + rows(r);
#pragma unroll
		for (int j = 0; j < C::TN; j++) {
			int cc = col0 + Acc<C>::col(j);
			if (cc >= n) continue;
			float* p = row + cc;
			*p = epi(beta == 0.f ? alpha * acc.v[i][j] : alpha * acc.v[i][j] + beta * *p, cc);
		}
	}
}

// gemm_tile computes one tile. gridDim.z = batch * splits; block z works
// on matrix z / splits and its split z % splits of K, [s*kchunk,
// min(k, (s+1)*kchunk)); kchunk is a multiple of BK. A split's partial
// product goes to c + s*ss.
template <class C, bool TA, bool TB, int V = 1>
__device__ __forceinline__ void gemm_tile(const float* a, i64 lda, i64 sa, const float* b, i64 ldb, i64 sb, float* c,
                                          i64 ldc, i64 sc, i64 ss, i64 m, i64 n, i64 k, i64 splits, i64 kchunk,
                                          float alpha, float beta) {
	i64 z = blockIdx.z, batch = z / splits, s = z % splits;
	i64 k0 = s * kchunk, kext = min(k - k0, kchunk);
	int row0 = blockIdx.x * C::BM, col0 = blockIdx.y * C::BN;
	// op(A) element (row, kk) and op(B) element (kk, col), as loader rows.
	Dense<C::BM, C::BK, C::T, !TA, V> la(a + batch * sa + (TA ? k0 * lda : k0), TA ? 1 : lda, TA ? lda : 1,
	                                     (int)m, (int)kext, row0);
	Dense<C::BN, C::BK, C::T, TB, V> lb(b + batch * sb + (TB ? k0 : k0 * ldb), TB ? ldb : 1, TB ? 1 : ldb,
	                                    (int)n, (int)kext, col0);
	typename AccOf<C>::type acc;
	int kTiles = (int)((kext + C::BK - 1) / C::BK);
	if constexpr (V == 1)
		mainloop(la, lb, kTiles, acc);
	else
		mainloop_pipe(la, lb, kTiles, acc); // mma_tile.cuh's tensor-core tiles only
	store(acc, c + batch * sc + s * ss, RowStride{ldc}, (int)m, (int)n, row0, col0, alpha, beta, splits == 1);
}

#define GEMM_PARAMS                                                                                                \
	const float *a, i64 lda, i64 sa, const float *b, i64 ldb, i64 sb, float *c, i64 ldc, i64 sc, i64 ss, i64 m, \
	    i64 n, i64 k, i64 splits, i64 kchunk, float alpha, float beta
#define GEMM_ARGS a, lda, sa, b, ldb, sb, c, ldc, sc, ss, m, n, k, splits, kchunk, alpha, beta
// GEMM_KERNEL defines kernel name, gemm_tile of configuration C;
// GEMM_PIPE_KERNEL the same on mma_pipe.cuh's cp.async pipeline (tensor-
// core tiles, lda and ldb multiples of 4: cuda's gemmOp.pipelined).
#define GEMM_KERNEL(name, C, TA, TB) \
	extern "C" __global__ void __launch_bounds__(C::T) name(GEMM_PARAMS) { gemm_tile<C, TA, TB>(GEMM_ARGS); }
#define GEMM_PIPE_KERNEL(name, C, TA, TB) \
	extern "C" __global__ void __launch_bounds__(C::T) name(GEMM_PARAMS) { gemm_tile<C, TA, TB, 4>(GEMM_ARGS); }

// sum_splits sets c = finish(alpha * (sum over s of ws[b][s]) + beta * c)
// for each of batch (m, n) matrices, adding the splits in order; c is not
// read when beta is 0. ws: (batch, splits, m, n); c: matrix b at c + b*sc,
// row stride ldc. finish rounds to the product's format.
#define SUM_SPLITS_PARAMS \
	const float *ws, i64 splits, i64 batch, i64 m, i64 n, float *c, i64 ldc, i64 sc, float alpha, float beta
#define SUM_SPLITS_ARGS ws, splits, batch, m, n, c, ldc, sc, alpha, beta
template <class F>
__device__ __forceinline__ void sum_splits(SUM_SPLITS_PARAMS, F finish) {
	GRID_STRIDE(i, batch * m * n) {
		i64 col = i % n, row = (i / n) % m, b = i / (m * n);
		const float* w = ws + b * splits * m * n + row * n + col;
		float sum = 0.f;
		for (i64 s = 0; s < splits; s++) sum += w[s * m * n];
		float* p = c + b * sc + row * ldc + col;
		*p = finish(beta == 0.f ? alpha * sum : alpha * sum + beta * *p);
	}
}
