// 2-D convolution over NHWC activations and KRSC filters (C/G channels per
// filter), forward, backward-data and backward-filter, each an implicit
// GEMM on the tiles of gemm_tile.cuh: conv_gemm.cuh's loaders gather the
// operands straight from the tensors, so no im2col buffer is ever built.
// gridDim.z runs over the groups (and, for the input gradient, over the
// strideH*strideW output phases; for the filter gradient, over splits of
// the reduction, summed afterwards by gemm.cu's sum_splits_f32
// in a fixed order: the results are deterministic, no atomics).
//
// Per group g, with M = N*P*Q output pixels, Cg = C/G, Kg = K/G:
//   forward          y[:, g]  (M, Kg)      = im2col(x)_g (M, R*S*Cg) * w_g^T
//   backward-data    dx[:, g] (N*H*W, Cg)  = gather(dy)_g (N*H*W, R*S*Kg) * w_g as (R*S*Kg, Cg)
//                    per phase (conv_phase.cuh): its pixels (Mph, Cg) = gather(dy) (Mph, Tph*Kg)
//                    * w_g at its Tph taps, Tph = ceil(R/strideH)*ceil(S/strideW) or fewer
//   backward-filter  dw_g     (Kg, R*S*Cg) = dy_g^T (Kg, M) * im2col(x)_g
// 1x1 stride-1 unpadded convolutions run as plain GEMMs (gemm.cu) and
// depthwise ones as direct kernels (depthwise.cu) instead.
#include "conv_gemm.cuh"

CONV_KERNELS(Big, big, 1)
CONV_KERNELS(Small, small, 1)
CONV_KERNELS(Tall, tall, 1)
