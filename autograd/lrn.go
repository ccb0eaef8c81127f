package autograd

// LRNOptions configures LRN; AlexNet (2012) uses Size 5, Alpha 1e-4,
// Beta 0.75, K 2.
type LRNOptions struct {
	Size           int
	Alpha, Beta, K float32
}

// LRN returns local response normalisation across channels of x, whose last
// dimension is channels, as PyTorch's LocalResponseNorm.
func LRN(x *Tensor, o LRNOptions) *Tensor {
	panic("autograd: LRN not implemented yet")
}
