package cpu

import "github.com/gocnn/gocnn/autograd"

func (b *Backend) MaxPool2D(p autograd.PoolParams, x, y, argmax autograd.Buffer) { panic("todo") }
func (b *Backend) MaxPool2DBackward(p autograd.PoolParams, dy, argmax, dx autograd.Buffer) {
	panic("todo")
}
func (b *Backend) AvgPool2D(p autograd.PoolParams, x, y autograd.Buffer)           { panic("todo") }
func (b *Backend) AvgPool2DBackward(p autograd.PoolParams, dy, dx autograd.Buffer) { panic("todo") }
func (b *Backend) GlobalAvgPool(n, hw, c int, x, y autograd.Buffer)                { panic("todo") }
func (b *Backend) GlobalAvgPoolBackward(n, hw, c int, dy, dx autograd.Buffer)      { panic("todo") }
func (b *Backend) BatchNormTrain(p autograd.NormParams, x, gamma, beta, y, mean, invStd autograd.Buffer) {
	panic("todo")
}
func (b *Backend) BatchNormInfer(p autograd.NormParams, x, gamma, beta, runMean, runVar, y autograd.Buffer) {
	panic("todo")
}
func (b *Backend) BatchNormBackward(p autograd.NormParams, batchStats bool, x, dy, gamma, mean, invStd, dx, dgamma, dbeta autograd.Buffer) {
	panic("todo")
}
func (b *Backend) BatchNormUpdateRunning(p autograd.NormParams, momentum float32, mean, invStd, runMean, runVar autograd.Buffer) {
	panic("todo")
}
func (b *Backend) RunningInvStd(p autograd.NormParams, runVar, invStd autograd.Buffer) { panic("todo") }
func (b *Backend) LRN(p autograd.LRNParams, x, y, scale autograd.Buffer)               { panic("todo") }
func (b *Backend) LRNBackward(p autograd.LRNParams, x, y, scale, dy, dx autograd.Buffer) {
	panic("todo")
}
