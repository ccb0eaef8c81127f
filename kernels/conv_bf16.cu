// 2-D convolution in bf16 on tensor cores, with fp32 accumulation: the
// numerics of cpu.Backend's convolutions at autograd.BF16 (both operands
// rounded to bf16 as they are loaded, the sums in fp32, the result
// rounded to bf16). The three passes are conv.cu's implicit GEMMs
// (conv_gemm.cuh: the same loaders, NHWC activations and KRSC filters,
// the same grids and split filter gradient) on mma_tile.cuh's BF16Tile
// (64x64) and BF16Tall (128x64, held to two blocks per SM).
// A split filter gradient's partial sums stay fp32; gemm_bf16.cu's
// sum_splits_bf16_f32 adds them and rounds.
#include "conv_gemm.cuh"
#include "mma_pipe.cuh"

CONV_KERNELS(BF16Tile, bf16, 1)
CONV_KERNELS(BF16Tall, bf16_tall, 2)
// conv2d_forward[_bias]_bf16[_tall]_pipe_f32: the forward pass (and with
// Conv2DBias's epilogue) on mma_pipe.cuh's cp.async pipeline, for C and
// C/G multiples of 4; conv2d_backward_{data,filter}_bf16[_tall]_pipe_f32
// the input and filter gradients, for C, C/G, K and K/G multiples of 4.
CONV_FORWARD(BF16Tile, bf16_pipe, 1, 4)
CONV_FORWARD(BF16Tall, bf16_tall_pipe, 2, 4)
CONV_FORWARD_BIAS(BF16Tile, bf16_pipe, 1, 4)
CONV_FORWARD_BIAS(BF16Tall, bf16_tall_pipe, 2, 4)
CONV_BACKWARD_FILTER(BF16Tile, bf16_pipe, 1, 4)
CONV_BACKWARD_FILTER(BF16Tall, bf16_tall_pipe, 2, 4)
CONV_BACKWARD_DATA(BF16Tile, bf16_pipe, 1, 4)
CONV_BACKWARD_DATA(BF16Tall, bf16_tall_pipe, 2, 4)
