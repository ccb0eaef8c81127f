package autograd

// Upsample resizes x (N, H, W, C) bilinearly to (N, outH, outW, C), as
// PyTorch's interpolate(mode="bilinear", align_corners=alignCorners).
func Upsample(x *Tensor, outH, outW int, alignCorners bool) *Tensor {
	panic("autograd: Upsample not implemented yet")
}
