//go:build !openblas

#include "textflag.h"
#include "winograd_amd64.h"

// LD loads 8 channels of pixel e of the input patch: the e-th pointer of
// the array at BX, plus the byte offset SI.
#define LD(e, reg) MOVQ (8*(e))(BX), AX; VMOVUPS (AX)(SI*1), reg

// FROW and FCOL set Y0-Y3 to row a = 0..3 of the patch times column j of B:
// d[a][x] OP d[a][y] (VSUBPS: minus).
#define FROW(a, x, y, OP, dst) LD(4*(a)+(x), Y12); LD(4*(a)+(y), Y13); OP Y13, Y12, dst
#define FCOL(x, y, OP) FROW(0, x, y, OP, Y0); FROW(1, x, y, OP, Y1); FROW(2, x, y, OP, Y2); FROW(3, x, y, OP, Y3)

// VCOL applies B^T to Y0-Y3 and stores the result, a column of V, at
// rows DI, R9, R10, R11 (each pointing at the column) plus SI.
#define VCOL \
	VSUBPS Y2, Y0, Y4; VADDPS Y2, Y1, Y5; VSUBPS Y1, Y2, Y6; VSUBPS Y3, Y1, Y7; \
	VMOVUPS Y4, (DI)(SI*1); VMOVUPS Y5, (R9)(SI*1); VMOVUPS Y6, (R10)(SI*1); VMOVUPS Y7, (R11)(SI*1)

// NEXTCOL moves the row pointers DI, R9, R10, R11 to the next column
// (ADDQ R8) or back to the first (SUBQ R12).
#define NEXTCOL(op) op, DI; op, R9; op, R10; op, R11

// COLUMN computes and stores column j of V, the one whose B column is
// d[.][x] OP d[.][y], then moves the row pointers by next.
#define COLUMN(x, y, OP, next) FCOL(x, y, OP); VCOL; NEXTCOL(next)

// func winogradInput8(d *[16]*float32, n8 int, v *float32, ld int)
// For each of n8 groups of 8 channels, sets v[e*ld + c] (ld in bytes) to
// element e of B^T d B, d[e] being channel c of the e-th patch pixel.
TEXT ·winogradInput8(SB), NOSPLIT, $0-32
	MOVQ d+0(FP), BX
	MOVQ n8+8(FP), CX
	MOVQ v+16(FP), DI
	MOVQ ld+24(FP), R8
	ELEMENT_ROWS
	XORQ SI, SI
	TESTQ CX, CX
	JE   done

loop:
	COLUMN(0, 2, VSUBPS, ADDQ R8)
	COLUMN(1, 2, VADDPS, ADDQ R8)
	COLUMN(2, 1, VSUBPS, ADDQ R8)
	COLUMN(1, 3, VSUBPS, SUBQ R12)
	ADDQ $32, SI
	DECQ CX
	JNE  loop

done:
	VZEROUPPER
	RET

// MCOL sets s0 = m0+m1+m2 and s1 = m1-m2-m3 for a column of M, whose
// rows (elements 0-3, 4-7, 8-11, 12-15) DI, R9, R10, R11 point at, plus SI.
#define MCOL(s0, s1) \
	VMOVUPS (DI)(SI*1), Y0; VMOVUPS (R9)(SI*1), Y1; VMOVUPS (R10)(SI*1), Y2; VMOVUPS (R11)(SI*1), Y3; \
	VADDPS Y1, Y0, s0; VADDPS Y2, s0, s0; VSUBPS Y2, Y1, s1; VSUBPS Y3, s1, s1

// func winogradOutput8(m *float32, ld int, y *[4]*float32, n8 int)
// For each of n8 groups of 8 filters, sets y[0..3][k] to the 2x2 output
// A^T M A, M[e] = m[e*ld + k] (ld in bytes), y in the order (0,0), (0,1),
// (1,0), (1,1).
TEXT ·winogradOutput8(SB), NOSPLIT, $0-32
	MOVQ m+0(FP), DI
	MOVQ ld+8(FP), R8
	MOVQ y+16(FP), BX
	MOVQ n8+24(FP), CX
	ELEMENT_ROWS
	MOVQ 0(BX), AX
	MOVQ 8(BX), DX
	MOVQ 16(BX), R13
	MOVQ 24(BX), BX
	XORQ SI, SI
	TESTQ CX, CX
	JE   odone

oloop:
	MCOL(Y4, Y8)
	NEXTCOL(ADDQ R8)
	MCOL(Y5, Y9)
	NEXTCOL(ADDQ R8)
	MCOL(Y6, Y10)
	NEXTCOL(ADDQ R8)
	MCOL(Y7, Y11)
	NEXTCOL(SUBQ R12)
	// y00 = s00+s01+s02, y01 = s01-s02-s03, and the same for row 1.
	VADDPS Y5, Y4, Y0; VADDPS Y6, Y0, Y0
	VSUBPS Y6, Y5, Y1; VSUBPS Y7, Y1, Y1
	VADDPS Y9, Y8, Y2; VADDPS Y10, Y2, Y2
	VSUBPS Y10, Y9, Y3; VSUBPS Y11, Y3, Y3
	VMOVUPS Y0, (AX)(SI*1)
	VMOVUPS Y1, (DX)(SI*1)
	VMOVUPS Y2, (R13)(SI*1)
	VMOVUPS Y3, (BX)(SI*1)
	ADDQ $32, SI
	DECQ CX
	JNE  oloop

odone:
	VZEROUPPER
	RET

// UROW stores row i of U = (G g) G^T, from row i of G g (a, b, c: its
// three columns), at the elements 4i..4i+3 that P points at (ld R8 bytes,
// R12 = 3 ld): a, (a+b+c)/2, (a-b+c)/2, c. Y15 holds 0.5 in every lane.
#define UROW(a, b, c, P) \
	VMOVUPS a, (P); \
	VADDPS b, a, Y12; VADDPS c, Y12, Y12; VMULPS Y15, Y12, Y12; VMOVUPS Y12, (P)(R8*1); \
	VSUBPS b, a, Y13; VADDPS c, Y13, Y13; VMULPS Y15, Y13, Y13; VMOVUPS Y13, (P)(R8*2); \
	VMOVUPS c, (P)(R12*1)

// GROW sets dst to row 1 (OP VADDPS) or row 2 (OP VSUBPS) of G g at
// column s: (g[s] OP g[3+s] + g[6+s])/2.
#define GROW(gs, g3s, g6s, OP, dst) OP g3s, gs, dst; VADDPS g6s, dst, dst; VMULPS Y15, dst, dst

// func winogradFilter8(taps *[9]*float32, n8 int, u *float32, ld int)
// For each of n8 groups of 8 filters, sets u[e*ld + f] (ld in bytes) to
// element e of G g G^T, tap t of filter f being taps[t][f]: transformFilter
// for 8 filters at a time, with the same operations in the same order.
TEXT ·winogradFilter8(SB), NOSPLIT, $0-32
	MOVQ taps+0(FP), BX
	MOVQ n8+8(FP), CX
	MOVQ u+16(FP), DI
	MOVQ ld+24(FP), R8
	ELEMENT_ROWS
	HALF_Y15
	XORQ SI, SI
	TESTQ CX, CX
	JE   fdone

floop:
	LD(0, Y0); LD(1, Y1); LD(2, Y2)
	LD(3, Y3); LD(4, Y4); LD(5, Y5)
	LD(6, Y6); LD(7, Y7); LD(8, Y8)
	UROW(Y0, Y1, Y2, DI)
	UROW(Y6, Y7, Y8, R11)
	GROW(Y0, Y3, Y6, VADDPS, Y9); GROW(Y1, Y4, Y7, VADDPS, Y10); GROW(Y2, Y5, Y8, VADDPS, Y11)
	UROW(Y9, Y10, Y11, R9)
	GROW(Y0, Y3, Y6, VSUBPS, Y9); GROW(Y1, Y4, Y7, VSUBPS, Y10); GROW(Y2, Y5, Y8, VSUBPS, Y11)
	UROW(Y9, Y10, Y11, R10)
	NEXT8
	DECQ CX
	JNE  floop

fdone:
	VZEROUPPER
	RET
