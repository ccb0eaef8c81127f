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
	b.launch1(op, kernels.ScaleChannels, int64(size),
		b.f32(op, x, size), b.f32(op, s, n*c), b.f32(op, y, size), hw, c, n)
}

// ScaleChannelsBackward sets dx = dy * s broadcast over hw and
// ds[n, c] = sum over i of dy[n, i, c] * x[n, i, c], summed in float64.
func (b *Backend) ScaleChannelsBackward(n, hw, c int, x, s, dy, dx, ds autograd.Buffer) {
	const op = "ScaleChannelsBackward"
	size := n * hw * c
	xd, sd, dyd := b.f32(op, x, size), b.f32(op, s, n*c), b.f32(op, dy, size)
	dxd, dsd := b.f32(op, dx, size), b.f32(op, ds, n*c)
	if size == 0 {
		return
	}
	defer b.enter()()
	b.launch(op, kernels.ScaleChannels, b.grid1(int64(size)), dim3{threads, 1, 1}, 0, dyd, sd, dxd, hw, c, n)
	b.channelSums(op, n, hw, c, dyd, xd, 1, dsd)
}

// channelSums queues out[img, ch] = scale * sum over i of a*b (b may be
// nil); the caller holds the backend.
func (b *Backend) channelSums(op string, n, hw, c int, a, bb *buffer, scale float64, out *buffer) {
	grid := dim3{(c + colsX - 1) / colsX, n, 1}
	b.launch(op, kernels.ChannelSums, grid, dim3{colsX, colsY, 1}, 0, a, bb, hw, c, scale, out)
}

// GlobalAvgPool sets y[n, c] to the mean over i of x[n, i, c], summed in
// float64: squeeze-and-excitation's squeeze. x: (n, hw, c); y: (n, c).
func (b *Backend) GlobalAvgPool(n, hw, c int, x, y autograd.Buffer) {
	const op = "GlobalAvgPool"
	xd, yd := b.f32(op, x, n*hw*c), b.f32(op, y, n*c)
	if n*c == 0 {
		return
	}
	defer b.enter()()
	b.channelSums(op, n, hw, c, xd, nil, 1/float64(hw), yd)
}

// GlobalAvgPoolBackward sets dx[n, i, c] = dy[n, c] / hw.
func (b *Backend) GlobalAvgPoolBackward(n, hw, c int, dy, dx autograd.Buffer) {
	const op = "GlobalAvgPoolBackward"
	size := n * hw * c
	b.launch1(op, kernels.GlobalAvgPoolBackward, int64(size), b.f32(op, dy, n*c), b.f32(op, dx, size), n, hw, c)
}
