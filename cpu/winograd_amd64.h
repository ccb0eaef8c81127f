// Register set-up shared by the Winograd transforms in winograd_amd64.s and
// winograd_filter_amd64.s.

// ELEMENT_ROWS points R9, R10 and R11 at elements 4, 8 and 12 of a 4x4
// transform whose element 0 DI points at, consecutive elements R8 bytes
// apart, and sets R12 to 3*R8: element 4i+j is then row i's register plus
// j*R8.
#define ELEMENT_ROWS LEAQ (R8)(R8*2), R12; LEAQ (DI)(R8*4), R9; LEAQ (R9)(R8*4), R10; LEAQ (R10)(R8*4), R11

// HALF_Y15 sets every lane of Y15 to 0.5 (AX is overwritten).
#define HALF_Y15 MOVL $0x3f000000, AX; MOVQ AX, X15; VBROADCASTSS X15, Y15

// NEXT8 moves SI and the element rows DI, R9, R10, R11 on by 8 floats.
#define NEXT8 ADDQ $32, SI; ADDQ $32, DI; ADDQ $32, R9; ADDQ $32, R10; ADDQ $32, R11
