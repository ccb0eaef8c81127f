// bfloat16 in memory and in registers: the tensor cores' operands, and the
// activations a device stores in bf16 (autograd's Device.SetActivationDType).
// A bf16 is the upper 16 bits of a float: fp32's exponent, an 8-bit
// significand.
#pragma once

#include "common.cuh"

// bf16 is a bfloat16 in memory, as its 16 bits.
typedef unsigned short bf16;

// float_bits and bits_float reinterpret a float's 32 bits (through memcpy
// under the stand-in, which has no __float_as_uint).
__device__ __forceinline__ unsigned float_bits(float x) {
#ifdef GOCNN_STANDIN
	unsigned u;
	memcpy(&u, &x, sizeof u);
	return u;
#else
	return __float_as_uint(x);
#endif
}

__device__ __forceinline__ float bits_float(unsigned u) {
#ifdef GOCNN_STANDIN
	float x;
	memcpy(&x, &u, sizeof x);
	return x;
#else
	return __uint_as_float(u);
#endif
}

// bf16_bits returns x rounded to bfloat16, to nearest with ties to even
// (__float2bfloat16_rn), as its 16 bits: autograd.BF16.Round, bit for bit,
// but for NaN, which becomes the canonical quiet NaN 0x7fff.
__device__ __forceinline__ unsigned bf16_bits(float x) {
#ifdef GOCNN_STANDIN
	unsigned u = float_bits(x);
	if (x != x) return 0x7fff;
	return (u + 0x7fff + (u >> 16 & 1)) >> 16;
#else
	unsigned short h;
	asm("cvt.rn.bf16.f32 %0, %1;" : "=h"(h) : "f"(x));
	return h;
#endif
}

// bf16_float returns the bfloat16 whose 16 bits are h as a float: exact.
__device__ __forceinline__ float bf16_float(unsigned h) { return bits_float(h << 16); }

// bf16_round returns x rounded to bfloat16, as a float.
__device__ __forceinline__ float bf16_round(float x) { return bf16_float(bf16_bits(x)); }

// ld and st read and write element i of an activation of either dtype as
// a float: a bf16 is widened exactly, and a float stored into a bf16 is
// rounded to nearest even, once. Kernels templated on the element type
// thus compute in fp32 whatever the storage.
__device__ __forceinline__ float ld(const float* p, i64 i) { return p[i]; }
__device__ __forceinline__ float ld(const bf16* p, i64 i) { return bf16_float(p[i]); }
__device__ __forceinline__ void st(float* p, i64 i, float v) { p[i] = v; }
__device__ __forceinline__ void st(bf16* p, i64 i, float v) { p[i] = (bf16)bf16_bits(v); }

// BOTH_DTYPES defines kernels NAME_f32 and NAME_bf16, which call the
// template NAME with activations of type float and bf16: PARAMS(X) is the
// parameter list with activations of type X, ARGS the call's arguments.
#define BOTH_DTYPES(NAME, PARAMS, ARGS)                                    \
	extern "C" __global__ void NAME##_f32 PARAMS(float) { NAME ARGS; } \
	extern "C" __global__ void NAME##_bf16 PARAMS(bf16) { NAME ARGS; }
