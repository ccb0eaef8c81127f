//go:build !openblas

#include "textflag.h"
#include "winograd_amd64.h"

// ZROW stores the four elements of one row of Z = A dY A^T, e0..e3 being
// column 0..3, at the row pointers' column of the current element plus
// disp (the half of the 16-channel strip): row i at DI, R9, R10, R11.
// ZCOL stores column j's four rows r0..r3 and moves the row pointers on.
#define ZCOL(disp, r0, r1, r2, r3, next) \
	VMOVUPS r0, disp(DI); VMOVUPS r1, disp(R9); VMOVUPS r2, disp(R10); VMOVUPS r3, disp(R11); \
	next, DI; next, R9; next, R10; next, R11

// HALF transforms 8 channels, those at byte offset SI+disp of the four
// gradient pixels a = (0,0) at AX, b = (0,1) at BX, c = (1,0) at DX and
// d = (1,1) at R13, into the 16 elements of Z, stored at byte disp of
// each element's row of the strip (Y15 holds zeros):
//	Z = [a,  a+b,  a-b,  -b;
//	     s,  s+t,  s-t,  -t;    s = a+c, t = b+d
//	     u,  u+v,  u-v,  -v;    u = a-c, v = b-d
//	     -c, -c-d, d-c,  d]
#define HALF(disp) \
	VMOVUPS disp(AX)(SI*1), Y0; VMOVUPS disp(BX)(SI*1), Y1; VMOVUPS disp(DX)(SI*1), Y2; VMOVUPS disp(R13)(SI*1), Y3; \
	VADDPS Y2, Y0, Y4; VADDPS Y3, Y1, Y5; VSUBPS Y2, Y0, Y6; VSUBPS Y3, Y1, Y7; \
	VSUBPS Y2, Y15, Y8; \
	ZCOL(disp, Y0, Y4, Y6, Y8, ADDQ R8); \
	VADDPS Y1, Y0, Y8; VADDPS Y5, Y4, Y9; VADDPS Y7, Y6, Y10; VADDPS Y3, Y2, Y11; VSUBPS Y11, Y15, Y11; \
	ZCOL(disp, Y8, Y9, Y10, Y11, ADDQ R8); \
	VSUBPS Y1, Y0, Y8; VSUBPS Y5, Y4, Y9; VSUBPS Y7, Y6, Y10; VSUBPS Y2, Y3, Y11; \
	ZCOL(disp, Y8, Y9, Y10, Y11, ADDQ R8); \
	VSUBPS Y1, Y15, Y8; VSUBPS Y5, Y15, Y9; VSUBPS Y7, Y15, Y10; \
	ZCOL(disp, Y8, Y9, Y10, Y3, SUBQ R12)

// func winogradGradOut16(y *[4]*float32, n16 int, z *float32, ld, strip int)
// For each of n16 strips of 16 channels, sets z[e*ld + k] (ld in bytes)
// to element e of A dY A^T, dY being channel k of the 2x2 gradient tile
// y (in the order (0,0), (0,1), (1,0), (1,1)); strip s starts at byte
// s*strip of z.
TEXT ·winogradGradOut16(SB), NOSPLIT, $0-40
	MOVQ y+0(FP), BX
	MOVQ 0(BX), AX
	MOVQ 16(BX), DX
	MOVQ 24(BX), R13
	MOVQ 8(BX), BX
	MOVQ n16+8(FP), CX
	MOVQ z+16(FP), DI
	MOVQ ld+24(FP), R8
	ELEMENT_ROWS
	VXORPS Y15, Y15, Y15
	XORQ SI, SI
	TESTQ CX, CX
	JE   done

loop:
	HALF(0)
	HALF(32)
	ADDQ strip+32(FP), DI
	ADDQ strip+32(FP), R9
	ADDQ strip+32(FP), R10
	ADDQ strip+32(FP), R11
	ADDQ $64, SI
	DECQ CX
	JNE  loop

done:
	VZEROUPPER
	RET

// GCOL sets column j of T = G^T M (rows t0, t1, t2) from column j of M
// (rows at A0..A3): m0 + (m1+m2)/2, (m1-m2)/2, (m1+m2)/2 + m3. Y15 holds
// 0.5 in every lane.
#define GCOL(A0, A1, A2, A3, t0, t1, t2) \
	VMOVUPS A1, Y12; VMOVUPS A2, Y13; \
	VADDPS Y13, Y12, Y14; VMULPS Y15, Y14, Y14; \
	VSUBPS Y13, Y12, t1; VMULPS Y15, t1, t1; \
	VMOVUPS A0, Y12; VADDPS Y14, Y12, t0; \
	VMOVUPS A3, Y13; VADDPS Y13, Y14, t2

// OUT stores reg to the tap-o row of the array at BX, plus SI.
#define OUT(o, reg) MOVQ (8*(o))(BX), AX; VMOVUPS reg, (AX)(SI*1)

// GROWW writes row i of W = T G (taps o, o+1, o+2) from row i of T
// (t0..t3): t0 + (t1+t2)/2, (t1-t2)/2, (t1+t2)/2 + t3.
#define GROWW(t0, t1, t2, t3, o) \
	VADDPS t2, t1, Y12; VMULPS Y15, Y12, Y12; \
	VADDPS Y12, t0, Y13; OUT(o, Y13); \
	VSUBPS t2, t1, Y14; VMULPS Y15, Y14, Y14; OUT(o+1, Y14); \
	VADDPS t3, Y12, Y13; OUT(o+2, Y13)

// func winogradFilterGrad8(m *float32, ld int, w *[9]*float32, n8 int)
// For each of n8 groups of 8 filters, sets w[t][f] to tap t of G^T M G,
// M[e] = m[e*ld + f] (ld in bytes): transformFilterGrad for 8 filters at
// a time, with the same operations in the same order.
TEXT ·winogradFilterGrad8(SB), NOSPLIT, $0-32
	MOVQ m+0(FP), DI
	MOVQ ld+8(FP), R8
	MOVQ w+16(FP), BX
	MOVQ n8+24(FP), CX
	ELEMENT_ROWS
	HALF_Y15
	XORQ SI, SI
	TESTQ CX, CX
	JE   gdone

gloop:
	GCOL((DI), (R9), (R10), (R11), Y0, Y4, Y8)
	GCOL((DI)(R8*1), (R9)(R8*1), (R10)(R8*1), (R11)(R8*1), Y1, Y5, Y9)
	GCOL((DI)(R8*2), (R9)(R8*2), (R10)(R8*2), (R11)(R8*2), Y2, Y6, Y10)
	GCOL((DI)(R12*1), (R9)(R12*1), (R10)(R12*1), (R11)(R12*1), Y3, Y7, Y11)
	GROWW(Y0, Y1, Y2, Y3, 0)
	GROWW(Y4, Y5, Y6, Y7, 3)
	GROWW(Y8, Y9, Y10, Y11, 6)
	NEXT8
	DECQ CX
	JNE  gloop

gdone:
	VZEROUPPER
	RET
