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

// GRADADD adds the four channels of dy in X8 at byte disp of the row:
// float64(dy) to sdy, float64(dy) * float64(x - mean), the difference
// taken in float32, to sdyx. GRAD4 loads dy; GRAD4MASK loads it masked to
// the lanes where y (at R11) > 0, zero (X11) elsewhere, as reluBackward
// gates it.
#define GRADADD(disp, mean, sdy, sdyx) \
	VMOVUPS disp(SI), X9; \
	VSUBPS mean, X9, X9; \
	VCVTPS2PD X9, Y9; \
	VCVTPS2PD X8, Y8; \
	VADDPD Y8, sdy, sdy; \
	VFMADD231PD Y8, Y9, sdyx
#define GRAD4(disp, mean, sdy, sdyx) \
	VMOVUPS disp(BX), X8; \
	GRADADD(disp, mean, sdy, sdyx)
#define GRAD4MASK(disp, mean, sdy, sdyx) \
	VMOVUPS disp(R11), X10; \
	VCMPPS $0x1e, X11, X10, X10; \
	VANDPS disp(BX), X10, X8; \
	GRADADD(disp, mean, sdy, sdyx)

// func bnGradSums16(x, y, dy *float32, rows, stride int, mean *float32, s, q *float64)
// For the 16 channels at x and dy of rows rows stride floats apart, adds
// float64(dy) to s[j] and float64(dy)*float64(x - mean[j]) to q[j],
// channel j in lane j: every channel's terms are added in row order. A
// y that is not nil masks dy to the elements where y > 0.
TEXT ·bnGradSums16(SB), NOSPLIT, $0-64
	MOVQ x+0(FP), SI
	MOVQ y+8(FP), R11
	MOVQ dy+16(FP), BX
	MOVQ rows+24(FP), CX
	MOVQ stride+32(FP), R8
	SHLQ $2, R8
	MOVQ mean+40(FP), DX
	MOVQ s+48(FP), DI
	MOVQ q+56(FP), R9
	VMOVUPS 0(DX), X12
	VMOVUPS 16(DX), X13
	VMOVUPS 32(DX), X14
	VMOVUPS 48(DX), X15
	VXORPS X11, X11, X11
	LOADSUMS
	TESTQ CX, CX
	JZ graddone
	TESTQ R11, R11
	JZ gradloop

maskloop:
	GRAD4MASK(0, X12, Y0, Y4)
	GRAD4MASK(16, X13, Y1, Y5)
	GRAD4MASK(32, X14, Y2, Y6)
	GRAD4MASK(48, X15, Y3, Y7)
	ADDQ R8, SI
	ADDQ R8, BX
	ADDQ R8, R11
	DECQ CX
	JNZ maskloop
	JMP graddone

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

// The elementwise kernels below walk rows*c floats with one byte offset AX
// into the (M, C) arrays and a column offset R14 into the per-channel
// ones, which wraps at each row's end; optional arrays are tested for nil
// once per 8 lanes (a branch that always goes the same way).

// func bnAffine8(x, res, y *float32, rows, c int, scale, shift *float32, relu bool)
// Sets y[r*c + j] = x[r*c + j]*scale[j] + shift[j] (one fused
// multiply-add) for rows rows of c floats, c a multiple of 8; then adds
// res (when not nil), rounded once as Add rounds, and with relu takes
// max(y, 0) as Go's max does (NaN stays NaN, -0 becomes +0).
TEXT ·bnAffine8(SB), NOSPLIT, $0-57
	MOVQ x+0(FP), SI
	MOVQ res+8(FP), BX
	MOVQ y+16(FP), DI
	MOVQ rows+24(FP), CX
	MOVQ c+32(FP), R8
	SHLQ $2, R8
	IMULQ R8, CX
	MOVQ scale+40(FP), DX
	MOVQ shift+48(FP), R9
	MOVBQZX relu+56(FP), R10
	VXORPS Y4, Y4, Y4
	XORQ AX, AX
	XORQ R14, R14
	TESTQ CX, CX
	JZ affinedone

affineloop:
	VMOVUPS (SI)(AX*1), Y0
	VMOVUPS (DX)(R14*1), Y1
	VFMADD213PS (R9)(R14*1), Y1, Y0
	TESTQ BX, BX
	JZ affinerelu
	VADDPS (BX)(AX*1), Y0, Y0

affinerelu:
	TESTQ R10, R10
	JZ affinestore
	// (0 > y) ? 0 : y keeps a NaN; adding +0 turns -0 into +0.
	VMAXPS Y0, Y4, Y0
	VADDPS Y4, Y0, Y0

affinestore:
	VMOVUPS Y0, (DI)(AX*1)
	ADDQ $32, AX
	ADDQ $32, R14
	CMPQ R14, R8
	JLT affinenext
	XORQ R14, R14

affinenext:
	CMPQ AX, CX
	JLT affineloop

affinedone:
	VZEROUPPER
	RET

// func bnBackward8(x, y, dy, dx, dres *float32, rows, c int, mean, scale, k, off *float32)
// Sets dx = dy*scale - (x - mean)*k - off per channel for rows rows of c
// floats, c a multiple of 8: x - mean and dy*scale - off rounded once
// each, then one fused multiply-add. A y that is not nil first masks dy
// to the elements where y > 0; a dres that is not nil receives that dy.
TEXT ·bnBackward8(SB), NOSPLIT, $0-88
	MOVQ x+0(FP), SI
	MOVQ y+8(FP), R12
	MOVQ dy+16(FP), BX
	MOVQ dx+24(FP), DI
	MOVQ dres+32(FP), R13
	MOVQ rows+40(FP), CX
	MOVQ c+48(FP), R8
	SHLQ $2, R8
	IMULQ R8, CX
	MOVQ mean+56(FP), DX
	MOVQ scale+64(FP), R9
	MOVQ k+72(FP), R10
	MOVQ off+80(FP), R11
	VXORPS Y5, Y5, Y5
	XORQ AX, AX
	XORQ R14, R14
	TESTQ CX, CX
	JZ backdone

backloop:
	VMOVUPS (SI)(AX*1), Y0
	VSUBPS (DX)(R14*1), Y0, Y0
	VMOVUPS (BX)(AX*1), Y1
	TESTQ R12, R12
	JZ backres
	VMOVUPS (R12)(AX*1), Y6
	VCMPPS $0x1e, Y5, Y6, Y6
	VANDPS Y6, Y1, Y1

backres:
	TESTQ R13, R13
	JZ backapply
	VMOVUPS Y1, (R13)(AX*1)

backapply:
	VMOVUPS (R9)(R14*1), Y2
	VFMSUB213PS (R11)(R14*1), Y2, Y1
	VMOVUPS (R10)(R14*1), Y3
	VFNMADD231PS Y3, Y0, Y1
	VMOVUPS Y1, (DI)(AX*1)
	ADDQ $32, AX
	ADDQ $32, R14
	CMPQ R14, R8
	JLT backnext
	XORQ R14, R14

backnext:
	CMPQ AX, CX
	JLT backloop

backdone:
	VZEROUPPER
	RET
