//go:build cuda

package cuda

import "github.com/gocnn/gocnn/autograd"

// actNone is the kernels' ACT_NONE: a gate without activation.
const actNone = -1

// ScaleChannels sets y[n, i, c] = x[n, i, c] * s[n, c].
// x, y: (n, hw, c); s: (n, c).
func (b *Backend) ScaleChannels(n, hw, c int, x, s, y autograd.Buffer) {
	b.scaleChannels("ScaleChannels", actNone, n, hw, c, x, s, y)
}

// ScaleChannelsGated is squeeze-and-excitation's excite-scale in one
// kernel: y[n, i, c] = x[n, i, c] * gate(s[n, c]), gate the activation
// kind applied to the excitation logits s (sigmoid in SENet, hard-sigmoid
// in MobileNetV3). x, y: (n, hw, c); s: (n, c).
func (b *Backend) ScaleChannelsGated(gate autograd.Activation, n, hw, c int, x, s, y autograd.Buffer) {
	b.scaleChannels("ScaleChannelsGated", int(gate), n, hw, c, x, s, y)
}

func (b *Backend) scaleChannels(op string, act, n, hw, c int, x, s, y autograd.Buffer) {
	size := n * hw * c
	b.launch1(op, "se", "scale_channels_f32", int64(size),
		b.f32(op, x, size), b.f32(op, s, n*c), b.f32(op, y, size), hw, c, n, act)
}

// ScaleChannelsBackward sets dx = dy * s broadcast over hw and
// ds[n, c] = sum over i of dy[n, i, c] * x[n, i, c], summed in float64.
func (b *Backend) ScaleChannelsBackward(n, hw, c int, x, s, dy, dx, ds autograd.Buffer) {
	b.scaleChannelsBackward("ScaleChannelsBackward", actNone, n, hw, c, x, s, dy, dx, ds)
}

// ScaleChannelsGatedBackward is the gradient of ScaleChannelsGated:
// dx = dy * gate(s) broadcast over hw and ds[n, c] = gate'(s[n, c]) * sum
// over i of dy[n, i, c] * x[n, i, c].
func (b *Backend) ScaleChannelsGatedBackward(gate autograd.Activation, n, hw, c int, x, s, dy, dx, ds autograd.Buffer) {
	b.scaleChannelsBackward("ScaleChannelsGatedBackward", int(gate), n, hw, c, x, s, dy, dx, ds)
}

func (b *Backend) scaleChannelsBackward(op string, act, n, hw, c int, x, s, dy, dx, ds autograd.Buffer) {
	size := n * hw * c
	xd, sd, dyd := b.f32(op, x, size), b.f32(op, s, n*c), b.f32(op, dy, size)
	dxd, dsd := b.f32(op, dx, size), b.f32(op, ds, n*c)
	if size == 0 {
		return
	}
	defer b.enter()()
	b.launch(op, "se", "scale_channels_f32", b.grid1(int64(size)), dim3{threads, 1, 1}, 0, dyd, sd, dxd, hw, c, n, act)
	b.channelSums(op, n, hw, c, dyd, xd, 1, act, sd, dsd)
}

// channelSums queues out[img, ch] = scale * sum over i of a*b (b may be
// nil), times act'(s) unless act is actNone; the caller holds the backend.
func (b *Backend) channelSums(op string, n, hw, c int, a, bb *buffer, scale float64, act int, s, out *buffer) {
	grid := dim3{(c + colsX - 1) / colsX, n, 1}
	b.launch(op, "se", "channel_sums_f32", grid, dim3{colsX, colsY, 1}, 0, a, bb, hw, c, scale, act, s, out)
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
	b.channelSums(op, n, hw, c, xd, nil, 1/float64(hw), actNone, nil, yd)
}

// GlobalAvgPoolBackward sets dx[n, i, c] = dy[n, c] / hw.
func (b *Backend) GlobalAvgPoolBackward(n, hw, c int, dy, dx autograd.Buffer) {
	const op = "GlobalAvgPoolBackward"
	size := n * hw * c
	b.launch1(op, "se", "global_avg_pool_backward_f32", int64(size), b.f32(op, dy, n*c), b.f32(op, dx, size), n, hw, c)
}
