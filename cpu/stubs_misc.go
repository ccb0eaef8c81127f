package cpu

import "github.com/gocnn/gocnn/autograd"

func (b *Backend) AddBias(rows, cols int, x, bias, y autograd.Buffer) { panic("todo") }
func (b *Backend) SumRows(rows, cols int, x, y autograd.Buffer)       { panic("todo") }
func (b *Backend) ScaleChannels(n, hw, c int, x, s, y autograd.Buffer) {
	panic("todo")
}
func (b *Backend) ScaleChannelsBackward(n, hw, c int, x, s, dy, dx, ds autograd.Buffer) {
	panic("todo")
}
func (b *Backend) CopyColumns(rows, cols int, src autograd.Buffer, srcStride, srcOff int, dst autograd.Buffer, dstStride, dstOff int) {
	panic("todo")
}
func (b *Backend) SoftmaxCrossEntropy(p autograd.CrossEntropyParams, logits, labels, probs, loss autograd.Buffer) {
	panic("todo")
}
func (b *Backend) SoftmaxCrossEntropyBackward(p autograd.CrossEntropyParams, probs, labels, dloss, dlogits autograd.Buffer) {
	panic("todo")
}
func (b *Backend) DropoutMask(p float32, seed uint64, mask autograd.Buffer)         { panic("todo") }
func (b *Backend) Upsample(p autograd.ResizeParams, x, y autograd.Buffer)           { panic("todo") }
func (b *Backend) UpsampleBackward(p autograd.ResizeParams, dy, dx autograd.Buffer) { panic("todo") }
