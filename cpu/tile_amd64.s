//go:build !openblas

#include "textflag.h"

// ROW stores row i of the 6x16 tile at SI into the row of c at DI,
// adding to it (add = 1) or not, then moves DI to the next row of c.
#define ROW(i, add) \
	VMOVUPS (64*(i))(SI), Y0; VMOVUPS (64*(i)+32)(SI), Y1; \
	add; \
	VMOVUPS Y0, (DI); VMOVUPS Y1, 32(DI); ADDQ R8, DI

#define ADDC VADDPS (DI), Y0, Y0; VADDPS 32(DI), Y1, Y1
#define NOADD

// func storeTile6x16(tile *[96]float32, c *float32, ldc int, add bool)
// Sets the 6x16 block of c (row stride ldc elements) to tile, or adds
// tile to it when add is true.
TEXT ·storeTile6x16(SB), NOSPLIT, $0-25
	MOVQ tile+0(FP), SI
	MOVQ c+8(FP), DI
	MOVQ ldc+16(FP), R8
	SHLQ $2, R8
	MOVBLZX add+24(FP), AX
	TESTQ AX, AX
	JE   set
	ROW(0, ADDC)
	ROW(1, ADDC)
	ROW(2, ADDC)
	ROW(3, ADDC)
	ROW(4, ADDC)
	ROW(5, ADDC)
	VZEROUPPER
	RET

set:
	ROW(0, NOADD)
	ROW(1, NOADD)
	ROW(2, NOADD)
	ROW(3, NOADD)
	ROW(4, NOADD)
	ROW(5, NOADD)
	VZEROUPPER
	RET
