// Tensor-core building blocks: each instruction the kernels use is one
// small device function, inline PTX on the GPU, and under the stand-in
// (GOCNN_STANDIN, kernel_emu.h) an emulation that follows the PTX ISA's
// fragment layouts exactly, so that a kernel built from them runs, and is
// checked, without a GPU.
//
// bf16 values travel as their 16 bits; two of them share a 32-bit
// register, the lower-indexed element of the fragment in the low half, as
// the PTX ISA packs .bf16x2.
#pragma once

#include "bf16.cuh"

#ifdef GOCNN_STANDIN

namespace mma_emu {

// The fragments of mma.m16n8k16 with .bf16 operands and .f32 accumulators
// (PTX ISA, "Matrix Fragments for mma.m16n8k16 with floating point type"):
// the (row, column) of element i of a lane's fragment of A (16x16, a0..a7),
// B (16x8, b0..b3) and C or D (16x8, c0..c3), where groupID = lane >> 2
// and threadID_in_group = lane % 4.
__device__ inline int a_row(int lane, int i) { return (lane >> 2) + (i % 4 < 2 ? 0 : 8); }
__device__ inline int a_col(int lane, int i) { return (lane % 4) * 2 + (i & 1) + (i < 4 ? 0 : 8); }
__device__ inline int b_row(int lane, int i) { return (lane % 4) * 2 + (i & 1) + (i < 2 ? 0 : 8); }
__device__ inline int b_col(int lane, int) { return lane >> 2; }
__device__ inline int c_row(int lane, int i) { return (lane >> 2) + (i < 2 ? 0 : 8); }
__device__ inline int c_col(int lane, int i) { return (lane % 4) * 2 + (i & 1); }

// The fragments of mma.m16n8k8 with .tf32 operands and .f32 accumulators
// (PTX ISA, "Matrix Fragments for mma.m16n8k8" with .tf32): A (16x8,
// a0..a3), B (8x8, b0, b1); C and D as above; as CUTLASS's SM80_16x8x8_F32TF32TF32F32_TN traits.
__device__ inline int a_row_tf32(int lane, int i) { return (lane >> 2) + 8 * (i & 1); }
__device__ inline int a_col_tf32(int lane, int i) { return lane % 4 + 4 * (i >> 1); }
__device__ inline int b_row_tf32(int lane, int i) { return lane % 4 + 4 * i; }

// bf16_half returns element i (0: low half, 1: high half) of a .bf16x2 register as a float.
__device__ inline float bf16_half(unsigned reg, int i) { return bf16_float(i ? reg >> 16 : reg & 0xffff); }

__device__ inline int thread_id() { return (int)((threadIdx.z * blockDim.y + threadIdx.y) * blockDim.x + threadIdx.x); }

__device__ inline int lane_id() { return thread_id() % warpSize; }

// Rows is a warp's registers as exchange returns them: row l holds lane
// l's N words.
template <int N>
struct Rows {
	unsigned r[32][N];
};

// exchange publishes the calling lane's N words to its warp and returns
// the warp's rows. Every lane of the warp must call it together, as the
// instruction it emulates requires. The lanes write a table in
// thread-local storage (a block runs on one OS thread) between two
// barriers, each one __shfl_sync (no lane passes it before every lane has
// reached it): after the first every row is written, and each lane copies
// the table; after the second every lane has copied it, so a lane's next
// call cannot overwrite rows a slower lane has yet to read. Gathering the
// words one shuffle each would switch fibers 32 times per word. No state
// outlives the call (a launch that fails midway leaves nothing behind).
template <int N>
__device__ inline Rows<N> exchange(const unsigned* mine) {
	static thread_local unsigned table[1024][N];
	int tid = thread_id();
	memcpy(table[tid], mine, sizeof table[tid]);
	(void)__shfl_sync(0xffffffff, 0, 0);
	Rows<N> rows;
	memcpy(rows.r, table[tid - lane_id()], sizeof rows.r);
	(void)__shfl_sync(0xffffffff, 0, 0);
	return rows;
}

// product sets d to c plus the product of the warp's K-deep A (16 rows)
// and B (8 columns) at the calling lane's four places in the C/D layout,
// the products for k = 0..K-1 added in order, each sum rounded to fp32.
template <int K>
__device__ inline void product(float d[4], const float (*am)[K], const float (*bm)[8], const float c[4]) {
	int lane = lane_id();
	for (int i = 0; i < 4; i++) {
		int row = c_row(lane, i), col = c_col(lane, i);
		float sum = c[i];
		for (int k = 0; k < K; k++) sum += am[row][k] * bm[k][col];
		d[i] = sum;
	}
}

} // namespace mma_emu

#endif

// tf32_bits returns x rounded to TF32 (10 explicit mantissa bits), to
// nearest with ties to even, as fp32 bits with the low 13 zero:
// autograd.TF32.Round, bit for bit; NaN stays as it is. In integer
// arithmetic on the GPU too: PTX's cvt.rn.tf32.f32 needs sm_90 (ptxas
// refuses it in compute_80 PTX), and compute_80's cvt.rna.tf32.f32 rounds
// ties away from zero.
__device__ __forceinline__ unsigned tf32_bits(float x) {
	unsigned u = float_bits(x);
	if (x != x) return u;
	return (u + 0xfff + (u >> 13 & 1)) & ~0x1fffu;
}

// tf32_round returns x rounded to TF32, as a float.
__device__ __forceinline__ float tf32_round(float x) { return bits_float(tf32_bits(x)); }

// pack_bf16x2 returns lo and hi rounded to bfloat16 (to nearest even) in
// one register, lo in the low half: fragment elements 2j and 2j+1.
__device__ __forceinline__ unsigned pack_bf16x2(float lo, float hi) {
#ifdef GOCNN_STANDIN
	return bf16_bits(lo) | bf16_bits(hi) << 16;
#else
	unsigned r;
	// cvt.rn.bf16x2.f32 d, a, b puts a in the upper half, b in the lower.
	asm("cvt.rn.bf16x2.f32 %0, %1, %2;" : "=r"(r) : "f"(hi), "f"(lo));
	return r;
#endif
}

// ldmatrix_x4 is ldmatrix.sync.aligned.m8n8.x4.shared.b16: the warp loads
// four 8x8 matrices of 16-bit elements from shared memory, lanes 8j..8j+7
// giving the addresses of matrix j's rows 0..7 (16 bytes each, 16-byte
// aligned). r[j] of lane l gets elements 2*(l%4) and 2*(l%4)+1 of row l/4
// of matrix j, the lower-indexed in the low half: for a row-major 16x16
// bf16 tile whose lane l points at row l%16, column 8*(l/16), that is
// exactly mma_bf16_m16n8k16's A fragment. Every lane of the warp must call
// it together.
//
// The emulation reads each row's address from the lane that gives it,
// through mma_emu::exchange (under the stand-in a block's shared memory is
// one OS thread's, so every lane can read it).
__device__ __forceinline__ void ldmatrix_x4(unsigned r[4], const void* row) {
#ifdef GOCNN_STANDIN
	int lane = mma_emu::lane_id();
	unsigned mine[2];
	memcpy(mine, &row, sizeof row);
	mma_emu::Rows<2> rows = mma_emu::exchange<2>(mine);
	for (int j = 0; j < 4; j++) {
		const char* p;
		memcpy(&p, rows.r[8 * j + lane / 4], sizeof p);
		memcpy(&r[j], p + 4 * (lane % 4), sizeof r[j]);
	}
#else
	unsigned addr = (unsigned)__cvta_generic_to_shared(row);
	asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0, %1, %2, %3}, [%4];"
	             : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
	             : "r"(addr)
	             : "memory");
#endif
}

// mma_bf16_m16n8k16 is mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32:
// the warp computes D = A*B + C, A 16x16 and B 16x8 in bf16, C and D 16x8
// in fp32, each lane holding its fragments (a: a0..a7 as four .bf16x2
// registers, b: b0..b3 as two, c and d: c0..c3) in the PTX ISA's layout.
// Every lane of the warp must call it together (converged, as mma.sync
// requires); d may be c.
//
// The emulation gathers the whole warp's fragments through
// mma_emu::exchange (each lane's a0..a7 and b0..b3), places them by the
// layout, and computes each of the lane's four outputs as c plus the
// products for k = 0..15 in order, each product exact in fp32 (8-bit by
// 8-bit significands) and each sum rounded to fp32. The hardware's order
// of summation is unspecified: results may differ from a GPU's by fp32
// rounding of the sums.
__device__ __forceinline__ void mma_bf16_m16n8k16(float d[4], const unsigned a[4], const unsigned b[2],
                                                  const float c[4]) {
#ifdef GOCNN_STANDIN
	using namespace mma_emu;
	float am[16][16], bm[16][8];
	unsigned mine[6] = {a[0], a[1], a[2], a[3], b[0], b[1]};
	Rows<6> warp = exchange<6>(mine);
	for (int src = 0; src < 32; src++) {
		const unsigned* regs = warp.r[src];
		for (int i = 0; i < 8; i++) am[a_row(src, i)][a_col(src, i)] = bf16_half(regs[i / 2], i & 1);
		for (int i = 0; i < 4; i++) bm[b_row(src, i)][b_col(src, i)] = bf16_half(regs[4 + i / 2], i & 1);
	}
	product<16>(d, am, bm, c);
#else
	asm("mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
	    "{%10, %11, %12, %13};"
	    : "=f"(d[0]), "=f"(d[1]), "=f"(d[2]), "=f"(d[3])
	    : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]), "f"(c[0]), "f"(c[1]), "f"(c[2]),
	      "f"(c[3]));
#endif
}

// mma_tf32_m16n8k8 is mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32:
// the warp computes D = A*B + C, A 16x8 and B 8x8 in TF32 (fp32 registers,
// as tf32_bits gives them), C and D 16x8 in fp32, each lane holding a0..a3,
// b0, b1 and c0..c3 in the PTX ISA's layout. Every lane of the warp must
// call it together; d may be c.
//
// The emulation gathers the warp's fragments through mma_emu::exchange,
// takes each operand's top 19 bits (the TF32 value; the hardware ignores
// the low 13), and computes each output as c plus the products for
// k = 0..7 in order, each exact in fp32 (11-bit by 11-bit significands),
// each sum rounded to fp32; a GPU's order of summation is unspecified.
__device__ __forceinline__ void mma_tf32_m16n8k8(float d[4], const unsigned a[4], const unsigned b[2],
                                                 const float c[4]) {
#ifdef GOCNN_STANDIN
	using namespace mma_emu;
	float am[16][8], bm[8][8];
	unsigned mine[6] = {a[0], a[1], a[2], a[3], b[0], b[1]};
	Rows<6> warp = exchange<6>(mine);
	for (int src = 0; src < 32; src++) {
		const unsigned* regs = warp.r[src];
		for (int i = 0; i < 4; i++) am[a_row_tf32(src, i)][a_col_tf32(src, i)] = bits_float(regs[i] & ~0x1fffu);
		for (int i = 0; i < 2; i++) bm[b_row_tf32(src, i)][b_col(src, i)] = bits_float(regs[4 + i] & ~0x1fffu);
	}
	product<8>(d, am, bm, c);
#else
	asm("mma.sync.aligned.m16n8k8.row.col.f32.tf32.tf32.f32 {%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, "
	    "{%10, %11, %12, %13};"
	    : "=f"(d[0]), "=f"(d[1]), "=f"(d[2]), "=f"(d[3])
	    : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]), "f"(c[0]), "f"(c[1]), "f"(c[2]),
	      "f"(c[3]));
#endif
}
