//go:build !openblas

#include "textflag.h"

// LOADSUMS loads the 16 float64 sums s at DI into Y0-Y3 and q at R9 into
// Y4-Y7; STORESUMS stores them back.
#define LOADSUMS \
	VMOVUPD 0(DI), Y0; VMOVUPD 32(DI), Y1; VMOVUPD 64(DI), Y2; VMOVUPD 96(DI), Y3; \
	VMOVUPD 0(R9), Y4; VMOVUPD 32(R9), Y5; VMOVUPD 64(R9), Y6; VMOVUPD 96(R9), Y7
#define STORESUMS \
	VMOVUPD Y0, 0(DI); VMOVUPD Y1, 32(DI); VMOVUPD Y2, 64(DI); VMOVUPD Y3, 96(DI); \
	VMOVUPD Y4, 0(R9); VMOVUPD Y5, 32(R9); VMOVUPD Y6, 64(R9); VMOVUPD Y7, 96(R9)

// func bnSums16(x *float32, rows, stride int, ref, s, q *float64)
// For the 16 channels at x of rows rows stride floats apart, adds
// d = float64(x) - ref[j] to s[j] and d*d to q[j], channel j in lane j
// of four YMM sums each: every channel's terms are added in row order.
TEXT ·bnSums16(SB), NOSPLIT, $0-48
	MOVQ x+0(FP), SI
	MOVQ rows+8(FP), CX
	MOVQ stride+16(FP), R8
	SHLQ $2, R8
	MOVQ ref+24(FP), DX
	MOVQ s+32(FP), DI
	MOVQ q+40(FP), R9
	VMOVUPD 0(DX), Y12
	VMOVUPD 32(DX), Y13
	VMOVUPD 64(DX), Y14
	VMOVUPD 96(DX), Y15
	LOADSUMS
	TESTQ CX, CX
	JZ sumsdone

sumsloop:
	VCVTPS2PD 0(SI), Y8
	VCVTPS2PD 16(SI), Y9
	VCVTPS2PD 32(SI), Y10
	VCVTPS2PD 48(SI), Y11
	VSUBPD Y12, Y8, Y8
	VSUBPD Y13, Y9, Y9
	VSUBPD Y14, Y10, Y10
	VSUBPD Y15, Y11, Y11
	VADDPD Y8, Y0, Y0
	VADDPD Y9, Y1, Y1
	VADDPD Y10, Y2, Y2
	VADDPD Y11, Y3, Y3
	VFMADD231PD Y8, Y8, Y4
	VFMADD231PD Y9, Y9, Y5
	VFMADD231PD Y10, Y10, Y6
	VFMADD231PD Y11, Y11, Y7
	ADDQ R8, SI
	DECQ CX
	JNZ sumsloop

sumsdone:
	STORESUMS
	VZEROUPPER
	RET

// GRAD4 adds the four channels at byte disp of the row: float64(dy) to
// sdy, float64(dy) * float64(x - mean), the difference taken in float32,
// to sdyx.
#define GRAD4(disp, mean, sdy, sdyx) \
	VCVTPS2PD disp(BX), Y8; \
	VMOVUPS disp(SI), X9; \
	VSUBPS mean, X9, X9; \
	VCVTPS2PD X9, Y9; \
	VADDPD Y8, sdy, sdy; \
	VFMADD231PD Y8, Y9, sdyx

// func bnGradSums16(x, dy *float32, rows, stride int, mean *float32, s, q *float64)
// For the 16 channels at x and dy of rows rows stride floats apart, adds
// float64(dy) to s[j] and float64(dy)*float64(x - mean[j]) to q[j],
// channel j in lane j: every channel's terms are added in row order.
TEXT ·bnGradSums16(SB), NOSPLIT, $0-56
	MOVQ x+0(FP), SI
	MOVQ dy+8(FP), BX
	MOVQ rows+16(FP), CX
	MOVQ stride+24(FP), R8
	SHLQ $2, R8
	MOVQ mean+32(FP), DX
	MOVQ s+40(FP), DI
	MOVQ q+48(FP), R9
	VMOVUPS 0(DX), X12
	VMOVUPS 16(DX), X13
	VMOVUPS 32(DX), X14
	VMOVUPS 48(DX), X15
	LOADSUMS
	TESTQ CX, CX
	JZ graddone

gradloop:
	GRAD4(0, X12, Y0, Y4)
	GRAD4(16, X13, Y1, Y5)
	GRAD4(32, X14, Y2, Y6)
	GRAD4(48, X15, Y3, Y7)
	ADDQ R8, SI
	ADDQ R8, BX
	DECQ CX
	JNZ gradloop

graddone:
	STORESUMS
	VZEROUPPER
	RET

// func bnAffine8(x, y *float32, rows, c int, scale, shift *float32)
// Sets y[r*c + j] = x[r*c + j]*scale[j] + shift[j] (one fused
// multiply-add) for rows rows of c floats, c a multiple of 8.
TEXT ·bnAffine8(SB), NOSPLIT, $0-48
	MOVQ x+0(FP), SI
	MOVQ y+8(FP), DI
	MOVQ rows+16(FP), CX
	MOVQ c+24(FP), R8
	SHLQ $2, R8
	MOVQ scale+32(FP), DX
	MOVQ shift+40(FP), R9
	TESTQ CX, CX
	JZ affinedone

affinerow:
	XORQ AX, AX

affinecol:
	VMOVUPS (SI)(AX*1), Y0
	VMOVUPS (DX)(AX*1), Y1
	VFMADD213PS (R9)(AX*1), Y1, Y0
	VMOVUPS Y0, (DI)(AX*1)
	ADDQ $32, AX
	CMPQ AX, R8
	JLT affinecol
	ADDQ R8, SI
	ADDQ R8, DI
	DECQ CX
	JNZ affinerow

affinedone:
	VZEROUPPER
	RET

// func bnBackward8(x, dy, dx *float32, rows, c int, mean, scale, k, off *float32)
// Sets dx = dy*scale - (x - mean)*k - off per channel for rows rows of c
// floats, c a multiple of 8: x - mean and dy*scale - off rounded once
// each, then one fused multiply-add.
TEXT ·bnBackward8(SB), NOSPLIT, $0-72
	MOVQ x+0(FP), SI
	MOVQ dy+8(FP), BX
	MOVQ dx+16(FP), DI
	MOVQ rows+24(FP), CX
	MOVQ c+32(FP), R8
	SHLQ $2, R8
	MOVQ mean+40(FP), DX
	MOVQ scale+48(FP), R9
	MOVQ k+56(FP), R10
	MOVQ off+64(FP), R11
	TESTQ CX, CX
	JZ backdone

backrow:
	XORQ AX, AX

backcol:
	VMOVUPS (SI)(AX*1), Y0
	VSUBPS (DX)(AX*1), Y0, Y0
	VMOVUPS (BX)(AX*1), Y1
	VMOVUPS (R9)(AX*1), Y2
	VFMSUB213PS (R11)(AX*1), Y2, Y1
	VMOVUPS (R10)(AX*1), Y3
	VFNMADD231PS Y3, Y0, Y1
	VMOVUPS Y1, (DI)(AX*1)
	ADDQ $32, AX
	CMPQ AX, R8
	JLT backcol
	ADDQ R8, SI
	ADDQ R8, BX
	ADDQ R8, DI
	DECQ CX
	JNZ backrow

backdone:
	VZEROUPPER
	RET
