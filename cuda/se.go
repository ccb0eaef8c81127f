//go:build cuda

package cuda

import (
	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/kernels"
)

// ScaleChannels sets y[n, i, c] = x[n, i, c] * s[n, c].
// x, y: (n, hw, c); s: (n, c).
func (b *Backend) ScaleChannels(n, hw, c int, x, s, y autograd.Buffer) {
	const op = "ScaleChannels"
	size := n * hw * c
	xd, yd, bf16 := b.activationPair(op, x, size, y, size)
	b.launch1(op, dtypeKernel(bf16, kernels.ScaleChannels, kernels.ScaleChannelsBF16), int64(size),
		xd, b.f32(op, s, n*c), yd, hw, c, n)
}

// ScaleChannelsBackward sets dx = dy * s broadcast over hw and
// ds[n, c] = sum over i of dy[n, i, c] * x[n, i, c], summed in float64.
func (b *Backend) ScaleChannelsBackward(n, hw, c int, x, s, dy, dx, ds autograd.Buffer) {
	const op = "ScaleChannelsBackward"
	size := n * hw * c
	acts, bf16 := b.activations(op, size, x)
	xd, sd, dyd := acts[0], b.f32(op, s, n*c), b.f32(op, dy, size)
	dxd, dsd := b.f32(op, dx, size), b.f32(op, ds, n*c)
	if size == 0 {
		return
	}
	defer b.enter()()
	b.launch(op, kernels.ScaleChannels, b.grid1(int64(size)), dim3{threads, 1, 1}, 0, dyd, sd, dxd, hw, c, n)
	b.channelSums(op, dtypeKernel(bf16, kernels.ChannelSums, kernels.ScaleChannelsSumsBF16), n, hw, c, 1, dyd, xd, dsd)
}

// channelSums queues kern, one of se.cu's channel sums: out[img, ch] =
// scale * sum over i of a (times b where the kernel takes one; nil for
// none). inOut is the kernel's inputs, a and then b, followed by out; the
// caller holds the backend.
func (b *Backend) channelSums(op string, kern *kernels.Kernel, n, hw, c int, scale float64, inOut ...any) {
	grid := dim3{(c + colsX - 1) / colsX, n, 1}
	in, out := inOut[:len(inOut)-1:len(inOut)-1], inOut[len(inOut)-1]
	b.launch(op, kern, grid, dim3{colsX, colsY, 1}, 0, append(in, hw, c, scale, out)...)
}

// GlobalAvgPool sets y[n, c] to the mean over i of x[n, i, c], summed in
// float64: squeeze-and-excitation's squeeze. x: (n, hw, c); y: (n, c).
func (b *Backend) GlobalAvgPool(n, hw, c int, x, y autograd.Buffer) {
	const op = "GlobalAvgPool"
	xd, yd, bf16 := b.activationPair(op, x, n*hw*c, y, n*c)
	if n*c == 0 {
		return
	}
	defer b.enter()()
	if bf16 {
		b.channelSums(op, kernels.GlobalAvgPoolBF16, n, hw, c, 1/float64(hw), xd, yd)
		return
	}
	b.channelSums(op, kernels.ChannelSums, n, hw, c, 1/float64(hw), xd, (*buffer)(nil), yd)
}

// GlobalAvgPoolBackward sets dx[n, i, c] = dy[n, c] / hw.
func (b *Backend) GlobalAvgPoolBackward(n, hw, c int, dy, dx autograd.Buffer) {
	const op = "GlobalAvgPoolBackward"
	size := n * hw * c
	b.launch1(op, kernels.GlobalAvgPoolBackward, int64(size), b.f32(op, dy, n*c), b.f32(op, dx, size), n, hw, c)
}
