// Row-major SGEMM for linear layers and 1x1 convolutions:
// C = alpha * op(A) * op(B) + beta * C, op(A) (M, K), op(B) (K, N), in
// every combination of transposes, over a batch of matrices at fixed
// strides (the groups of a grouped 1x1 convolution), optionally split
// along K into partial products that sum_splits_f32 adds up in a fixed
// order (deterministic: no atomics).
#include "gemm_tile.cuh"

// sgemm_<op(A)><op(B)>_<tile>_f32: n = as stored, t = transposed.

GEMM_KERNEL(sgemm_nn_big_f32, Big, false, false)
GEMM_KERNEL(sgemm_nt_big_f32, Big, false, true)
GEMM_KERNEL(sgemm_tn_big_f32, Big, true, false)
GEMM_KERNEL(sgemm_tt_big_f32, Big, true, true)
GEMM_KERNEL(sgemm_nn_small_f32, Small, false, false)
GEMM_KERNEL(sgemm_nt_small_f32, Small, false, true)
GEMM_KERNEL(sgemm_tn_small_f32, Small, true, false)
GEMM_KERNEL(sgemm_tt_small_f32, Small, true, true)
GEMM_KERNEL(sgemm_nn_tall_f32, Tall, false, false)
GEMM_KERNEL(sgemm_nt_tall_f32, Tall, false, true)
GEMM_KERNEL(sgemm_tn_tall_f32, Tall, true, false)
GEMM_KERNEL(sgemm_tt_tall_f32, Tall, true, true)

// sum_splits_f32 sets c = alpha * (sum over s of ws[b][s]) + beta * c for
// each of batch (m, n) matrices (see sum_splits).
extern "C" __global__ void sum_splits_f32(SUM_SPLITS_PARAMS) { sum_splits(SUM_SPLITS_ARGS, [](float v) { return v; }); }
