package kernels

// The kernels the cuda backend launches, by family, with their parameters
// as the .cu files declare them (i64 and unsigned long long are Int).

// Tile is one of gemm_tile.cuh's tile configurations or mma_tile.cuh's;
// the tiled GEMM and convolution kernels come in one variant per Tile.
type Tile uint8

const (
	// Big is the 128x128 tile.
	Big Tile = iota
	// Small is the 64x64 tile, for products too small to fill the device
	// with big ones.
	Small
	// BF16 is mma_tile.cuh's 64x64 tensor-core tile, bf16 with fp32
	// accumulation (the numerics of -amp bf16): the kernels of
	// conv_bf16.cu and gemm_bf16.cu.
	BF16
	// TF32 is the same tile in TF32 with fp32 accumulation (-amp tf32):
	// the kernels of conv_tf32.cu and gemm_tf32.cu.
	TF32
	// Tall is the 128x64 fp32 tile (128 rows, 64 columns), for products
	// of 64 columns (64-channel layers), which fill only half of Big's.
	Tall
	// BF16Tall and TF32Tall are mma_tile.cuh's 128x64 tensor-core
	// tiles: the products of gemm_bf16.cu and gemm_tf32.cu and the
	// convolutions of conv_bf16.cu and conv_tf32.cu.
	BF16Tall
	TF32Tall
	// NumTiles is the number of tiles: the length of the arrays of
	// kernels indexed by Tile.
	NumTiles
)

// Parameter lists that end several kernels' parameters.
var (
	// convGeom is conv.cuh's CONV_PARAMS: n, h, w, c, k, r, s, strideH,
	// strideW, padH, padW, dilH, dilW, groups, p, q.
	convGeom = ints(16)
	// poolGeom is pool.cu's POOL_PARAMS: n, h, w, c, r, s, strideH,
	// strideW, padH, padW, p, q.
	poolGeom = ints(12)
	// adaptiveGeom is pool.cu's ADAPTIVE_PARAMS: n, h, w, c, oh, ow.
	adaptiveGeom = ints(6)
	// gemmParams is gemm.cu's GEMM_PARAMS: a, lda, sa, b, ldb, sb, c, ldc,
	// sc, ss, m, n, k, splits, kchunk, alpha, beta.
	gemmParams = []Arg{Ptr, Int, Int, Ptr, Int, Int, Ptr, Int, Int, Int, Int, Int, Int, Int, Int, F32, F32}
)

// elementwise.cu: fills, arithmetic and activations over n elements.
var (
	Fill               = def("elementwise", "fill_f32", Ptr, Int, F32)
	Add                = def("elementwise", "add_f32", Ptr, Ptr, Ptr, Int)
	Mul                = def("elementwise", "mul_f32", Ptr, Ptr, Ptr, Int)
	Div                = def("elementwise", "div_f32", Ptr, Ptr, Ptr, Int)
	Sqrt               = def("elementwise", "sqrt_f32", Ptr, Ptr, Int)
	Axpby              = def("elementwise", "axpby_f32", F32, Ptr, F32, Ptr, Int)
	Activation         = def("elementwise", "activation_f32", Int, Ptr, Ptr, Int)
	ActivationBackward = def("elementwise", "activation_backward_f32", Int, Ptr, Ptr, Ptr, Ptr, Int)
	// AddBF16, ActivationBF16 and ActivationBackwardBF16 are Add,
	// Activation and ActivationBackward on bf16 activations (fp32
	// gradients).
	AddBF16                = def("elementwise", "add_bf16", Ptr, Ptr, Ptr, Int)
	ActivationBF16         = def("elementwise", "activation_bf16", Int, Ptr, Ptr, Int)
	ActivationBackwardBF16 = def("elementwise", "activation_backward_bf16", Int, Ptr, Ptr, Ptr, Ptr, Int)
)

// dropout.cu: the counter-based dropout mask.
var DropoutMask = def("dropout", "dropout_mask_f32", Ptr, Int, Int, F32, F32)

// reduce.cu: whole-buffer sums (and sums of squares) in two passes.
var (
	SumPartial = def("reduce", "sum_partial_f32", Ptr, Int, Int, Ptr)
	SumFinish  = def("reduce", "sum_finish_f32", Ptr, Int, Ptr)
)

// channels.cu: per-column bias, column sums and column copies.
var (
	AddBias        = def("channels", "add_bias_f32", Ptr, Ptr, Ptr, Int, Int)
	SumRowsPartial = def("channels", "sum_rows_partial_f32", Ptr, Ptr, Ptr, Int, Int, Ptr)
	SumRowsFinish  = def("channels", "sum_rows_finish_f32", Ptr, Int, Int, Ptr)
	CopyColumns    = def("channels", "copy_columns_f32", Ptr, Int, Int, Ptr, Int, Int, Int, Int)
	// CopyColumnsBF16 is CopyColumns of bf16 activations.
	CopyColumnsBF16 = def("channels", "copy_columns_bf16", Ptr, Int, Int, Ptr, Int, Int, Int, Int)
)

// se.cu: squeeze-and-excitation's channel sums and channel scaling.
var (
	ChannelSums           = def("se", "channel_sums_f32", Ptr, Ptr, Int, Int, F64, Ptr)
	ScaleChannels         = def("se", "scale_channels_f32", Ptr, Ptr, Ptr, Int, Int, Int)
	GlobalAvgPoolBackward = def("se", "global_avg_pool_backward_f32", Ptr, Ptr, Int, Int, Int)
	// GlobalAvgPoolBF16 is ChannelSums of bf16 x into bf16 y (no b):
	// x, hw, c, scale, y. ScaleChannelsSumsBF16 is ChannelSums of fp32 dy
	// times bf16 x. ScaleChannelsBF16 is ScaleChannels of bf16 x and y.
	GlobalAvgPoolBF16     = def("se", "global_avg_pool_bf16", Ptr, Int, Int, F64, Ptr)
	ScaleChannelsSumsBF16 = def("se", "scale_channels_sums_bf16", Ptr, Ptr, Int, Int, F64, Ptr)
	ScaleChannelsBF16     = def("se", "scale_channels_bf16", Ptr, Ptr, Ptr, Int, Int, Int)
)

// gemm.cu: batched, optionally split products, indexed by [transA][transB][Tile]
// (see Sgemm; the BF16 and TF32 tiles' are gemm_bf16.cu's and
// gemm_tf32.cu's), and the sum of split
// partial products.
var (
	sgemm = [2][2][NumTiles]*Kernel{
		{sgemmTiles("nn"), sgemmTiles("nt")},
		{sgemmTiles("tn"), sgemmTiles("tt")},
	}
	SumSplits = def("gemm", "sum_splits_f32", Ptr, Int, Int, Int, Int, Ptr, Int, Int, F32, F32)
)

// gemm_bf16.cu: products on tensor cores in bf16 with fp32 accumulation
// (the numerics of -amp bf16), fp32 tensors in memory; its tiled products
// are Sgemm's BF16 variants.
var (
	// GemmBF16 is C = A*B, A, B and C row-major, one warp per 16x8 tile
	// of C: parameters a, b, c, n, k over a grid of (N/8, M/16) blocks of
	// 32 threads. The backend does not launch it; cuda's TestGemmBF16
	// checks mma.cuh through it under the stand-in.
	GemmBF16 = def("gemm_bf16", "gemm_bf16_f32", Ptr, Ptr, Ptr, Int, Int)
	// SumSplitsBF16 is SumSplits with the result rounded to bf16: it
	// finishes the BF16 tile's split products and filter gradients.
	SumSplitsBF16 = def("gemm_bf16", "sum_splits_bf16_f32", Ptr, Int, Int, Int, Int, Ptr, Int, Int, F32, F32)
	// RoundBF16 sets dst = src rounded to bf16: dst, src, n.
	RoundBF16 = def("gemm_bf16", "round_bf16_f32", Ptr, Ptr, Int)
	// F32ToBF16 stores src rounded to bf16 in dst's 16-bit elements:
	// dst, src, n.
	F32ToBF16 = def("gemm_bf16", "f32_to_bf16", Ptr, Ptr, Int)
	// BF16ToF32 widens src's bf16 elements to fp32, exactly: dst, src, n.
	BF16ToF32 = def("gemm_bf16", "bf16_to_f32", Ptr, Ptr, Int)
)

// gemm_tf32.cu: the same in TF32 (the numerics of -amp tf32); its tiled
// products are Sgemm's TF32 variants.
var (
	// GemmTF32 is GemmBF16 in TF32 (M, N and K multiples of 16, 8 and 8);
	// the backend does not launch it, cuda's TestGemmTF32Layout does.
	GemmTF32 = def("gemm_tf32", "gemm_tf32_f32", Ptr, Ptr, Ptr, Int, Int)
	// SumSplitsTF32 is SumSplits with the result rounded to TF32.
	SumSplitsTF32 = def("gemm_tf32", "sum_splits_tf32_f32", Ptr, Int, Int, Int, Int, Ptr, Int, Int, F32, F32)
	// RoundTF32 sets dst = src rounded to TF32: dst, src, n.
	RoundTF32 = def("gemm_tf32", "round_tf32_f32", Ptr, Ptr, Int)
)

// sgemmTiles returns the product kernels of every tile for transposes ops
// ("nn", "nt", "tn" or "tt").
func sgemmTiles(ops string) [NumTiles]*Kernel {
	return [NumTiles]*Kernel{
		Big:      def("gemm", "sgemm_"+ops+"_big_f32", gemmParams...),
		Small:    def("gemm", "sgemm_"+ops+"_small_f32", gemmParams...),
		BF16:     def("gemm_bf16", "gemm_bf16_"+ops+"_f32", gemmParams...),
		TF32:     def("gemm_tf32", "gemm_tf32_"+ops+"_f32", gemmParams...),
		Tall:     def("gemm", "sgemm_"+ops+"_tall_f32", gemmParams...),
		BF16Tall: def("gemm_bf16", "gemm_bf16_"+ops+"_tall_f32", gemmParams...),
		TF32Tall: def("gemm_tf32", "gemm_tf32_"+ops+"_tall_f32", gemmParams...),
	}
}

// Sgemm returns gemm.cu's product kernel for the given transposes and tile.
func Sgemm(transA, transB bool, t Tile) *Kernel { return sgemm[b2i(transA)][b2i(transB)][t] }

// The tensor-core tiles' products and forward convolutions on
// mma_pipe.cuh's cp.async pipeline, for operands whose rows are 16-byte
// aligned (the backend chooses: cuda's gemmOp.pipelined and, for the
// convolutions, convPipelined): indexed by Tile, nil for the fp32 tiles,
// which have none.
var (
	sgemmPipe = [2][2][NumTiles]*Kernel{
		{pipeTiles("nn"), pipeTiles("nt")},
		{pipeTiles("tn"), pipeTiles("tt")},
	}
	Conv2DForwardPipe = [NumTiles]*Kernel{
		BF16:     def("conv_bf16", "conv2d_forward_bf16_pipe_f32", with(convGeom, Ptr, Ptr, Ptr)...),
		TF32:     def("conv_tf32", "conv2d_forward_tf32_pipe_f32", with(convGeom, Ptr, Ptr, Ptr)...),
		BF16Tall: def("conv_bf16", "conv2d_forward_bf16_tall_pipe_f32", with(convGeom, Ptr, Ptr, Ptr)...),
		TF32Tall: def("conv_tf32", "conv2d_forward_tf32_tall_pipe_f32", with(convGeom, Ptr, Ptr, Ptr)...),
	}
	// Conv2DForwardBiasPipe is Conv2DForwardBias on the pipeline.
	Conv2DForwardBiasPipe = [NumTiles]*Kernel{
		BF16:     def("conv_bf16", "conv2d_forward_bias_bf16_pipe_f32", with(convGeom, Ptr, Ptr, Ptr, Ptr, Int)...),
		TF32:     def("conv_tf32", "conv2d_forward_bias_tf32_pipe_f32", with(convGeom, Ptr, Ptr, Ptr, Ptr, Int)...),
		BF16Tall: def("conv_bf16", "conv2d_forward_bias_bf16_tall_pipe_f32", with(convGeom, Ptr, Ptr, Ptr, Ptr, Int)...),
		TF32Tall: def("conv_tf32", "conv2d_forward_bias_tf32_tall_pipe_f32", with(convGeom, Ptr, Ptr, Ptr, Ptr, Int)...),
	}
	// Conv2DBackwardDataPipe is Conv2DBackwardData on the pipeline
	// (cuda's backwardDataPass).
	Conv2DBackwardDataPipe = [NumTiles]*Kernel{
		BF16:     def("conv_bf16", "conv2d_backward_data_bf16_pipe_f32", with(convGeom, Ptr, Ptr, Ptr)...),
		TF32:     def("conv_tf32", "conv2d_backward_data_tf32_pipe_f32", with(convGeom, Ptr, Ptr, Ptr)...),
		BF16Tall: def("conv_bf16", "conv2d_backward_data_bf16_tall_pipe_f32", with(convGeom, Ptr, Ptr, Ptr)...),
		TF32Tall: def("conv_tf32", "conv2d_backward_data_tf32_tall_pipe_f32", with(convGeom, Ptr, Ptr, Ptr)...),
	}
	// Conv2DBackwardFilterPipe is Conv2DBackwardFilter on the pipeline
	// (cuda's backwardFilterPass).
	Conv2DBackwardFilterPipe = [NumTiles]*Kernel{
		BF16:     def("conv_bf16", "conv2d_backward_filter_bf16_pipe_f32", with(convGeom, Ptr, Ptr, Ptr, Int, Int)...),
		TF32:     def("conv_tf32", "conv2d_backward_filter_tf32_pipe_f32", with(convGeom, Ptr, Ptr, Ptr, Int, Int)...),
		BF16Tall: def("conv_bf16", "conv2d_backward_filter_bf16_tall_pipe_f32", with(convGeom, Ptr, Ptr, Ptr, Int, Int)...),
		TF32Tall: def("conv_tf32", "conv2d_backward_filter_tf32_tall_pipe_f32", with(convGeom, Ptr, Ptr, Ptr, Int, Int)...),
	}
	// CopyAsync checks cp_async.cuh: dst (256 floats), src, n; one
	// block of 64 threads. The backend does not launch it; cuda's
	// TestCopyAsync does.
	CopyAsync = def("gemm_bf16", "copy_async_f32", Ptr, Ptr, Int)
)

// pipeTiles returns the pipelined product kernels of the tensor-core
// tiles for transposes ops.
func pipeTiles(ops string) [NumTiles]*Kernel {
	return [NumTiles]*Kernel{
		BF16:     def("gemm_bf16", "gemm_bf16_"+ops+"_pipe_f32", gemmParams...),
		TF32:     def("gemm_tf32", "gemm_tf32_"+ops+"_pipe_f32", gemmParams...),
		BF16Tall: def("gemm_bf16", "gemm_bf16_"+ops+"_tall_pipe_f32", gemmParams...),
		TF32Tall: def("gemm_tf32", "gemm_tf32_"+ops+"_tall_pipe_f32", gemmParams...),
	}
}

// SgemmPipe returns the pipelined product kernel for the given transposes
// and tile, nil when the tile has none.
func SgemmPipe(transA, transB bool, t Tile) *Kernel { return sgemmPipe[b2i(transA)][b2i(transB)][t] }

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// conv.cu: implicit-GEMM convolutions, indexed by Tile; the BF16 and TF32
// tiles' are conv_bf16.cu's and conv_tf32.cu's, the same passes on tensor
// cores (a split filter gradient's fp32 partial sums finished by
// SumSplitsBF16 or SumSplitsTF32).
var (
	Conv2DForward = convTiles("forward", Ptr, Ptr, Ptr)
	// Conv2DForwardBias takes x, w, the bias (or null), y and relu before
	// the geometry: the forward with Conv2DBias's epilogue.
	Conv2DForwardBias  = convTiles("forward_bias", Ptr, Ptr, Ptr, Ptr, Int)
	Conv2DBackwardData = convTiles("backward_data", Ptr, Ptr, Ptr)
	// Conv2DBackwardFilter takes x, dy, the output, splits and the chunk
	// of output pixels per split before the geometry.
	Conv2DBackwardFilter = convTiles("backward_filter", Ptr, Ptr, Ptr, Int, Int)
)

// convTiles returns every tile's conv2d_<pass>_<tile>_f32, its parameters
// args followed by the geometry.
func convTiles(pass string, args ...Arg) [NumTiles]*Kernel {
	k := func(family, tile string) *Kernel {
		return def(family, "conv2d_"+pass+"_"+tile+"_f32", with(convGeom, args...)...)
	}
	return [NumTiles]*Kernel{
		Big:   k("conv", "big"),
		Small: k("conv", "small"),
		BF16:  k("conv_bf16", "bf16"),
		TF32:  k("conv_tf32", "tf32"),
		Tall:  k("conv", "tall"),
		// conv2d_<pass>_bf16_tall_f32, conv2d_<pass>_tf32_tall_f32
		BF16Tall: k("conv_bf16", "bf16_tall"),
		TF32Tall: k("conv_tf32", "tf32_tall"),
	}
}

// depthwise.cu: direct convolutions for one input channel per group.
var (
	DepthwiseForward               = def("depthwise", "depthwise_forward_f32", with(convGeom, Ptr, Ptr, Ptr)...)
	DepthwiseBackwardData          = def("depthwise", "depthwise_backward_data_f32", with(convGeom, Ptr, Ptr, Ptr)...)
	DepthwiseBackwardFilterPartial = def("depthwise", "depthwise_backward_filter_partial_f32", with(convGeom, Ptr, Ptr, Ptr)...)
	DepthwiseBackwardFilterFinish  = def("depthwise", "depthwise_backward_filter_finish_f32", Ptr, Int, Ptr, Int)
	// DepthwiseForward and DepthwiseBackwardFilterPartial on bf16
	// activations (x, and the forward's y).
	DepthwiseForwardBF16               = def("depthwise", "depthwise_forward_bf16", with(convGeom, Ptr, Ptr, Ptr)...)
	DepthwiseBackwardFilterPartialBF16 = def("depthwise", "depthwise_backward_filter_partial_bf16", with(convGeom, Ptr, Ptr, Ptr)...)
)

// pool.cu: max, average and adaptive average pooling.
var (
	MaxPool                 = def("pool", "max_pool_f32", with(poolGeom, Ptr, Ptr, Ptr)...)
	MaxPoolBackward         = def("pool", "max_pool_backward_f32", with(poolGeom, Ptr, Ptr, Ptr)...)
	AvgPool                 = def("pool", "avg_pool_f32", with(poolGeom, Ptr, Ptr, Int)...)
	AvgPoolBackward         = def("pool", "avg_pool_backward_f32", with(poolGeom, Ptr, Ptr, Int)...)
	AdaptiveAvgPool         = def("pool", "adaptive_avg_pool_f32", with(adaptiveGeom, Ptr, Ptr)...)
	AdaptiveAvgPoolBackward = def("pool", "adaptive_avg_pool_backward_f32", with(adaptiveGeom, Ptr, Ptr)...)
	// The forward kernels above on bf16 activations.
	MaxPoolBF16         = def("pool", "max_pool_bf16", with(poolGeom, Ptr, Ptr, Ptr)...)
	AvgPoolBF16         = def("pool", "avg_pool_bf16", with(poolGeom, Ptr, Ptr, Int)...)
	AdaptiveAvgPoolBF16 = def("pool", "adaptive_avg_pool_bf16", with(adaptiveGeom, Ptr, Ptr)...)
)

// batchnorm.cu: batch statistics, the normalisation and its gradient.
var (
	BNStatsPartial    = def("batchnorm", "bn_stats_partial_f32", Ptr, Int, Int, Ptr)
	BNStatsFinish     = def("batchnorm", "bn_stats_finish_f32", Ptr, Int, Ptr, Int, Int, F32, Ptr, Ptr, Ptr, Ptr, Ptr, Ptr)
	BNInferCoeffs     = def("batchnorm", "bn_infer_coeffs_f32", Ptr, Ptr, Ptr, Ptr, F32, Int, Ptr, Ptr)
	AffineRows        = def("batchnorm", "affine_rows_f32", Ptr, Ptr, Ptr, Ptr, Int, Ptr, Int, Int)
	BNBackwardPartial = def("batchnorm", "bn_backward_partial_f32", Ptr, Ptr, Ptr, Ptr, Int, Int, Ptr)
	BNBackwardFinish  = def("batchnorm", "bn_backward_finish_f32", Ptr, Int, Int, Int, Int, Ptr, Ptr, Ptr, Ptr, Ptr)
	BNBackwardApply   = def("batchnorm", "bn_backward_apply_f32", Ptr, Ptr, Ptr, Ptr, Ptr, Ptr, Ptr, Int, Int)
	BNUpdateRunning   = def("batchnorm", "bn_update_running_f32", Ptr, Ptr, Ptr, Ptr, Int, Int, F32, F32)
	// The kernels above that read or write activations, on bf16 ones.
	BNStatsPartialBF16    = def("batchnorm", "bn_stats_partial_bf16", Ptr, Int, Int, Ptr)
	BNStatsFinishBF16     = def("batchnorm", "bn_stats_finish_bf16", Ptr, Int, Ptr, Int, Int, F32, Ptr, Ptr, Ptr, Ptr, Ptr, Ptr)
	AffineRowsBF16        = def("batchnorm", "affine_rows_bf16", Ptr, Ptr, Ptr, Ptr, Int, Ptr, Int, Int)
	BNBackwardPartialBF16 = def("batchnorm", "bn_backward_partial_bf16", Ptr, Ptr, Ptr, Ptr, Int, Int, Ptr)
	BNBackwardApplyBF16   = def("batchnorm", "bn_backward_apply_bf16", Ptr, Ptr, Ptr, Ptr, Ptr, Ptr, Ptr, Int, Int)
	RunningInvStd         = def("batchnorm", "running_inv_std_f32", Ptr, Ptr, Int, F32)
)

// lrn.cu: local response normalisation.
var (
	LRN         = def("lrn", "lrn_f32", Ptr, Ptr, Ptr, Int, Int, Int, F32, F32, F32)
	LRNBackward = def("lrn", "lrn_backward_f32", Ptr, Ptr, Ptr, Ptr, Ptr, Int, Int, Int, F32, F32)
)

// crossentropy.cu: softmax cross-entropy, its gradient, and top-k hit counts.
var (
	CEForward  = def("crossentropy", "ce_forward_f32", Ptr, Ptr, Ptr, Ptr, Int, Int, F32, Int)
	CEFinish   = def("crossentropy", "ce_finish_f32", Ptr, Int, Ptr)
	CECount    = def("crossentropy", "ce_count_f32", Ptr, Int, Int, Ptr)
	CEScale    = def("crossentropy", "ce_scale_f32", Ptr, Int, Ptr, Ptr)
	CEBackward = def("crossentropy", "ce_backward_f32", Ptr, Ptr, Ptr, Ptr, Int, Int, F32, Int)
	TopKCounts = def("crossentropy", "topk_counts_f32", Ptr, Ptr, Int, Int, Int, Ptr)
)

// pixels.cu: uint8 images converted and normalised on the device.
var PixelsToFloat32 = def("pixels", "pixels_to_f32", Ptr, Ptr, Ptr, Ptr, Int, Int)

// upsample.cu: bilinear resizing and its two-pass gradient.
var (
	Upsample          = def("upsample", "upsample_f32", Ptr, Ptr, Int, Int, Int, Int, Int, Int, Int)
	UpsampleBackwardW = def("upsample", "upsample_backward_w_f32", Ptr, Ptr, Int, Int, Int, Int, Int, Int)
	UpsampleBackwardH = def("upsample", "upsample_backward_h_f32", Ptr, Ptr, Int, Int, Int, Int, Int, Int)
)

// optimizer.cu: fused SGD, AdamW and RMSprop updates.
var (
	SGDStep     = def("optimizer", "sgd_step_f32", Ptr, Ptr, Ptr, Int, F32, F32, F32, F32, Int, Int)
	AdamWStep   = def("optimizer", "adamw_step_f32", Ptr, Ptr, Ptr, Ptr, Int, F32, F32, F32, F32, F32, F32)
	RMSpropStep = def("optimizer", "rmsprop_step_f32", Ptr, Ptr, Ptr, Ptr, Ptr, Int, F32, F32, F32, F32, F32, Int)
)
