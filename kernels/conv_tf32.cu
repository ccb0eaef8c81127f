// 2-D convolution in TF32 on tensor cores, with fp32 accumulation: the
// numerics of cpu.Backend's convolutions at autograd.TF32 (both operands
// rounded to TF32, to nearest even, as they are loaded, the sums in fp32,
// the result rounded to TF32). conv_bf16.cu's three passes on
// mma_tile.cuh's TF32Tile and TF32Tall; a split filter gradient's fp32
// partial sums are added and rounded by gemm_tf32.cu's
// sum_splits_tf32_f32.
#include "conv_gemm.cuh"
#include "mma_pipe.cuh"

CONV_KERNELS(TF32Tile, tf32, 1)
CONV_KERNELS(TF32Tall, tf32_tall, 2)
// conv2d_forward[_bias]_tf32[_tall]_pipe_f32: the forward pass (and with
// Conv2DBias's epilogue) on mma_pipe.cuh's cp.async pipeline, for C and
// C/G multiples of 4; conv2d_backward_{data,filter}_tf32[_tall]_pipe_f32
// the input and filter gradients, for C, C/G, K and K/G multiples of 4.
CONV_FORWARD(TF32Tile, tf32_pipe, 1, 4)
CONV_FORWARD(TF32Tall, tf32_tall_pipe, 2, 4)
CONV_FORWARD_BIAS(TF32Tile, tf32_pipe, 1, 4)
CONV_FORWARD_BIAS(TF32Tall, tf32_tall_pipe, 2, 4)
CONV_BACKWARD_FILTER(TF32Tile, tf32_pipe, 1, 4)
CONV_BACKWARD_FILTER(TF32Tall, tf32_tall_pipe, 2, 4)
CONV_BACKWARD_DATA(TF32Tile, tf32_pipe, 1, 4)
CONV_BACKWARD_DATA(TF32Tall, tf32_tall_pipe, 2, 4)
