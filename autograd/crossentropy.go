package autograd

// CrossEntropyOptions configures SoftmaxCrossEntropy.
type CrossEntropyOptions struct {
	// LabelSmoothing mixes the one-hot target with the uniform distribution.
	LabelSmoothing float32
	// IgnoreIndex is a label whose rows are left out of the mean; set
	// HasIgnore to use it (255 for segmentation masks).
	IgnoreIndex int32
	HasIgnore   bool
}

// SoftmaxCrossEntropy returns the mean cross-entropy (a one-element tensor)
// between softmax(logits) and labels. logits: (N, classes) with labels (N),
// or per pixel (N, H, W, classes) with labels (N, H, W); labels are Int32.
func SoftmaxCrossEntropy(logits, labels *Tensor, o CrossEntropyOptions) *Tensor {
	panic("autograd: SoftmaxCrossEntropy not implemented yet")
}
