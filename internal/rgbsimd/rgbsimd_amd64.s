#include "textflag.h"

// func U8ToF32(dst *float32, src *uint8, n int)
// dst[i] = float32(src[i]) for i < n; n is a multiple of 8.
TEXT ·U8ToF32(SB), NOSPLIT, $0-24
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ n+16(FP), CX
	SHRQ $3, CX
	JZ   u8done

u8loop:
	VPMOVZXBD (SI), Y0
	VCVTDQ2PS Y0, Y0
	VMOVUPS   Y0, (DI)
	ADDQ      $8, SI
	ADDQ      $32, DI
	DECQ      CX
	JNZ       u8loop

u8done:
	VZEROUPPER
	RET

// func HorizontalRGB(dst, src *float32, start, count *int, w *float32, stride, q int)
// For each of q outputs j: dst[3j:3j+3] = sum over k < count[j] of
// w[j*stride+k] * src[3(start[j]+k):+3]. It loads 4 floats per tap, so
// src must hold one float past the last pixel read.
TEXT ·HorizontalRGB(SB), NOSPLIT, $0-56
	MOVQ dst+0(FP), DI
	MOVQ src+8(FP), SI
	MOVQ start+16(FP), R8
	MOVQ count+24(FP), R9
	MOVQ w+32(FP), R10
	MOVQ stride+40(FP), R11
	SHLQ $2, R11
	MOVQ q+48(FP), CX
	TESTQ CX, CX
	JZ   hdone

houter:
	VXORPS X0, X0, X0
	MOVQ   (R8), AX
	IMUL3Q $12, AX, AX
	LEAQ   (SI)(AX*1), BX
	MOVQ   (R9), DX
	MOVQ   R10, R12
	TESTQ  DX, DX
	JZ     hstore

hinner:
	VBROADCASTSS (R12), X1
	VFMADD231PS  (BX), X1, X0
	ADDQ         $12, BX
	ADDQ         $4, R12
	DECQ         DX
	JNZ          hinner

hstore:
	VMOVQ      X0, (DI)
	VEXTRACTPS $2, X0, 8(DI)
	ADDQ       $12, DI
	ADDQ       $8, R8
	ADDQ       $8, R9
	ADDQ       R11, R10
	DECQ       CX
	JNZ        houter

hdone:
	RET

// func VerticalRGB(dst, tmp *float32, row int, w *float32, n, length int, aff *[50]float32)
// For i < length (a multiple of 24): a = sum over k < n of w[k]*tmp[k*row+i],
// clamped to [aff[48], aff[49]], then dst[i] = a*aff[i%24] + aff[24+i%24].
TEXT ·VerticalRGB(SB), NOSPLIT, $0-56
	MOVQ dst+0(FP), DI
	MOVQ tmp+8(FP), SI
	MOVQ row+16(FP), R8
	SHLQ $2, R8
	MOVQ w+24(FP), R9
	MOVQ n+32(FP), R10
	MOVQ length+40(FP), CX
	MOVQ aff+48(FP), AX
	VMOVUPS      0(AX), Y10
	VMOVUPS      32(AX), Y11
	VMOVUPS      64(AX), Y12
	VMOVUPS      96(AX), Y13
	VMOVUPS      128(AX), Y14
	VMOVUPS      160(AX), Y15
	VBROADCASTSS 192(AX), Y8
	VBROADCASTSS 196(AX), Y9
	TESTQ        CX, CX
	JLE          vdone

vchunk:
	VXORPS Y0, Y0, Y0
	VXORPS Y1, Y1, Y1
	VXORPS Y2, Y2, Y2
	MOVQ   SI, BX
	MOVQ   R9, R12
	MOVQ   R10, DX
	TESTQ  DX, DX
	JZ     vaffine

vtap:
	VBROADCASTSS (R12), Y3
	VFMADD231PS  (BX), Y3, Y0
	VFMADD231PS  32(BX), Y3, Y1
	VFMADD231PS  64(BX), Y3, Y2
	ADDQ         R8, BX
	ADDQ         $4, R12
	DECQ         DX
	JNZ          vtap

vaffine:
	VMAXPS      Y8, Y0, Y0
	VMAXPS      Y8, Y1, Y1
	VMAXPS      Y8, Y2, Y2
	VMINPS      Y9, Y0, Y0
	VMINPS      Y9, Y1, Y1
	VMINPS      Y9, Y2, Y2
	// x*scale rounded, then + shift rounded, as the Go passes: an FMA's
	// single rounding would move normalised pixels by an ulp.
	VMULPS      Y10, Y0, Y0
	VMULPS      Y11, Y1, Y1
	VMULPS      Y12, Y2, Y2
	VADDPS      Y13, Y0, Y0
	VADDPS      Y14, Y1, Y1
	VADDPS      Y15, Y2, Y2
	VMOVUPS     Y0, (DI)
	VMOVUPS     Y1, 32(DI)
	VMOVUPS     Y2, 64(DI)
	ADDQ        $96, SI
	ADDQ        $96, DI
	SUBQ        $24, CX
	JG          vchunk

vdone:
	VZEROUPPER
	RET

// The dword order that undoes VPACKUSWB's interleaving of 128-bit lanes.
DATA packorder<>+0(SB)/4, $0
DATA packorder<>+4(SB)/4, $4
DATA packorder<>+8(SB)/4, $1
DATA packorder<>+12(SB)/4, $5
DATA packorder<>+16(SB)/4, $2
DATA packorder<>+20(SB)/4, $6
DATA packorder<>+24(SB)/4, $3
DATA packorder<>+28(SB)/4, $7
GLOBL packorder<>(SB), RODATA|NOPTR, $32

// func F32ToU8(dst *uint8, src *float32, n int)
// dst[i] = uint8(src[i]) (truncated) for i < n, a multiple of 32; every
// src[i] must lie in [0, 256).
TEXT ·F32ToU8(SB), NOSPLIT, $0-24
	MOVQ    dst+0(FP), DI
	MOVQ    src+8(FP), SI
	MOVQ    n+16(FP), CX
	SHRQ    $5, CX
	JZ      pdone
	VMOVDQU packorder<>(SB), Y5

ploop:
	VCVTTPS2DQ (SI), Y0
	VCVTTPS2DQ 32(SI), Y1
	VCVTTPS2DQ 64(SI), Y2
	VCVTTPS2DQ 96(SI), Y3
	VPACKSSDW  Y1, Y0, Y0
	VPACKSSDW  Y3, Y2, Y2
	VPACKUSWB  Y2, Y0, Y0
	VPERMD     Y0, Y5, Y0
	VMOVDQU    Y0, (DI)
	ADDQ       $128, SI
	ADDQ       $32, DI
	DECQ       CX
	JNZ        ploop

pdone:
	VZEROUPPER
	RET
