package autograd

// BatchNormOptions configures BatchNorm. Zero Momentum and Eps mean
// PyTorch's defaults, 0.1 and 1e-5.
type BatchNormOptions struct {
	// Training normalises with the batch's statistics and updates the
	// running ones; otherwise the running statistics are used.
	Training bool
	Momentum float32
	Eps      float32
}

// BatchNorm normalises x, whose last dimension is channels ((N, H, W, C) or
// (N, C)), per channel and applies gamma and beta (C). runMean and runVar
// (C) are the running statistics, updated in place when training (outside
// autograd). Ioffe & Szegedy 2015.
func BatchNorm(x, gamma, beta, runMean, runVar *Tensor, o BatchNormOptions) *Tensor {
	panic("autograd: BatchNorm not implemented yet")
}
