package autograd

import "fmt"

// CrossEntropyOptions configures SoftmaxCrossEntropy.
type CrossEntropyOptions struct {
	// LabelSmoothing mixes the one-hot target with the uniform distribution,
	// as PyTorch's label_smoothing: the loss of a row is
	// (1-eps)*(-log p[label]) + eps*mean over classes of -log p.
	LabelSmoothing float32
	// IgnoreIndex is a label whose rows are left out of the mean; set
	// HasIgnore to use it (255 for segmentation masks).
	IgnoreIndex int32
	HasIgnore   bool
}

// SoftmaxCrossEntropy returns the mean cross-entropy (a one-element tensor
// of shape ()) between softmax(logits) and labels, over the rows whose label
// is not ignored; 0, with zero gradient, when every row is. logits:
// (N, classes) with labels (N), or per pixel (N, H, W, classes) with labels
// (N, H, W); labels are Int32 and must stay unchanged until the backward
// pass. It panics when the shapes, dtypes or devices disagree; a label
// outside [0, classes) that is not ignored is a programming error too (the
// CPU backend panics on it).
func SoftmaxCrossEntropy(logits, labels *Tensor, o CrossEntropyOptions) *Tensor {
	sameShape("SoftmaxCrossEntropy", logits)
	logits = ToFloat32(logits)
	rows, classes := logits.shape.Rows()
	if !labels.shape.Equal(logits.shape[:len(logits.shape)-1]) || labels.DType() != Int32 || labels.dev != logits.dev {
		panic(fmt.Sprintf("autograd: SoftmaxCrossEntropy of logits %v on %s with %v labels %v on %s", logits.shape, logits.dev.Name(), labels.DType(), labels.shape, labels.dev.Name()))
	}
	p := CrossEntropyParams{Rows: rows, Classes: classes, Smoothing: o.LabelSmoothing, IgnoreIndex: -1}
	if o.HasIgnore {
		p.IgnoreIndex = o.IgnoreIndex
	}
	dev := logits.dev
	be := dev.backend
	probs := Empty(dev, Float32, logits.shape...)
	loss := Empty(dev, Float32)
	be.SoftmaxCrossEntropy(p, logits.buf, labels.buf, probs.buf, loss.buf)
	return record("SoftmaxCrossEntropy", loss, []*Tensor{logits, labels}, func(dy *Tensor) []*Tensor {
		dx := Empty(dev, Float32, logits.shape...)
		be.SoftmaxCrossEntropyBackward(p, probs.buf, labels.buf, dy.buf, dx.buf)
		return []*Tensor{dx, nil}
	}, probs)
}
