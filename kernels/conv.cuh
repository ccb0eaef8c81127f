// The geometry of a 2-D convolution as conv.cu and depthwise.cu take it.
#pragma once
#include "common.cuh"

// Conv holds a convolution's geometry in 32-bit integers: the Go side
// checks that every tensor has fewer than 2^31 elements, so indices fit;
// memory offsets are computed in 64 bits all the same.
struct Conv {
	int n, h, w, c, k, r, s, strideH, strideW, padH, padW, dilH, dilW, g, p, q;
	int cg, kg;
};

#define CONV_PARAMS                                                                                          \
	i64 n, i64 h, i64 w, i64 c, i64 k, i64 r, i64 s, i64 strideH, i64 strideW, i64 padH, i64 padW, i64 dilH, \
	    i64 dilW, i64 groups, i64 p, i64 q
#define CONV_ARGS n, h, w, c, k, r, s, strideH, strideW, padH, padW, dilH, dilW, groups, p, q
#define CONV_INIT                                                                                \
	Conv cv = {(int)n,    (int)h,    (int)w,    (int)c,    (int)k,      (int)r, (int)s, (int)strideH, \
	           (int)strideW, (int)padH, (int)padW, (int)dilH, (int)dilW, (int)groups, (int)p, (int)q,  \
	           (int)(c / groups), (int)(k / groups)}
