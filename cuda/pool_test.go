//go:build cuda

package cuda

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/cpu"
)

// TestAdaptiveAvgPoolAgainstCPU runs adaptive average pooling on both
// backends, the GPU's outputs poisoned, at the maps VGG and AlexNet pool
// at inputs of 256, 100 and 64 (uneven, overlapping and repeating bins)
// and at one even and one non-square map.
func TestAdaptiveAvgPoolAgainstCPU(t *testing.T) {
	rng := rand.New(rand.NewPCG(12, 13))
	host := cpu.New(0)
	for _, p := range []autograd.AdaptivePoolParams{
		{N: 4, H: 8, W: 8, C: 512, OutH: 7, OutW: 7}, // vgg16 at 256
		{N: 4, H: 3, W: 3, C: 512, OutH: 7, OutW: 7}, // vgg16 at 100
		{N: 4, H: 2, W: 2, C: 512, OutH: 7, OutW: 7}, // vgg16 at 64
		{N: 4, H: 7, W: 7, C: 256, OutH: 6, OutW: 6}, // alexnet at 256
		{N: 4, H: 2, W: 2, C: 256, OutH: 6, OutW: 6}, // alexnet at 100
		{N: 4, H: 1, W: 1, C: 256, OutH: 6, OutW: 6}, // alexnet at 64
		{N: 2, H: 14, W: 14, C: 96, OutH: 7, OutW: 7},
		{N: 3, H: 13, W: 9, C: 33, OutH: 7, OutW: 5},
	} {
		name := fmt.Sprintf("%dx%d->%dx%d", p.H, p.W, p.OutH, p.OutW)
		in, out := p.N*p.H*p.W*p.C, p.N*p.OutH*p.OutW*p.C
		x, dy := randn(rng, in), randn(rng, out)
		hx, hdy := upload(t, host, x), upload(t, host, dy)
		hy, hdx := host.Alloc(autograd.Float32, out), host.Alloc(autograd.Float32, in)
		host.AdaptiveAvgPool2D(p, hx, hy)
		host.AdaptiveAvgPool2DBackward(p, hdy, hdx)

		gx, gdy := upload(t, gpu, x), upload(t, gpu, dy)
		gy, gdx := poisoned(out), poisoned(in)
		gpu.AdaptiveAvgPool2D(p, gx, gy)
		gpu.AdaptiveAvgPool2DBackward(p, gdy, gdx)
		binH, binW := (p.H+p.OutH-1)/p.OutH+1, (p.W+p.OutW-1)/p.OutW+1
		closeTo(t, name+" forward", download(gpu, gy), cpu.Float32s(hy), binH*binW)
		coverH, coverW := (p.OutH+p.H-1)/p.H+1, (p.OutW+p.W-1)/p.W+1
		closeTo(t, name+" backward", download(gpu, gdx), cpu.Float32s(hdx), coverH*coverW)
		for _, b := range []autograd.Buffer{gx, gdy, gy, gdx} {
			gpu.Free(b)
		}
	}
}
