package autograd

// ScaleChannels returns x (N, H, W, C) with each channel of each image
// multiplied by s (N, C): the gating of squeeze-and-excitation.
func ScaleChannels(x, s *Tensor) *Tensor {
	panic("autograd: ScaleChannels not implemented yet")
}
