package cpu_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/cpu"
)

// TestConvBlocks checks that a batch too large for one im2col block (so
// blocks end mid-image) gives what the images give one at a time; the
// shared suite's small shapes always fit one block.
func TestConvBlocks(t *testing.T) {
	p := conv3x3(16, 16, 16, 8)
	one := p
	one.N = 1
	rng := rand.New(rand.NewPCG(16, 9))
	x := randSlice(rng, p.N*p.H*p.W*p.C)
	w := randSlice(rng, p.K*p.R*p.S*p.C)
	dy := randSlice(rng, p.N*p.P()*p.Q()*p.K)
	xImg, yImg := len(x)/p.N, len(dy)/p.N
	for _, workers := range []int{1, 3} {
		t.Run(fmt.Sprintf("workers=%d", workers), func(t *testing.T) {
			be := cpu.New(workers)
			run := func(p autograd.ConvParams, x, dy []float32) (y, dx, dw []float32) {
				xb, wb, dyb := f32(be, x), f32(be, w), f32(be, dy)
				yb, dxb, dwb := be.Alloc(autograd.Float32, len(dy)), be.Alloc(autograd.Float32, len(x)), be.Alloc(autograd.Float32, len(w))
				be.Conv2D(p, xb, wb, yb)
				be.Conv2DBackwardData(p, dyb, wb, dxb)
				be.Conv2DBackwardFilter(p, xb, dyb, dwb)
				return cpu.Float32s(yb), cpu.Float32s(dxb), cpu.Float32s(dwb)
			}
			y, dx, dw := run(p, x, dy)
			var wantY, wantDx []float64
			wantDw := make([]float64, len(w))
			for n := range p.N {
				yi, dxi, dwi := run(one, x[n*xImg:][:xImg], dy[n*yImg:][:yImg])
				wantY, wantDx = append(wantY, widen(yi)...), append(wantDx, widen(dxi)...)
				for i, v := range dwi {
					wantDw[i] += float64(v)
				}
			}
			near(t, "forward", y, wantY)
			near(t, "backward data", dx, wantDx)
			near(t, "backward filter", dw, wantDw)
		})
	}
}

// f32 returns a buffer of be holding a copy of v.
func f32(be *cpu.Backend, v []float32) autograd.Buffer {
	b := be.Alloc(autograd.Float32, len(v))
	be.WriteFloat32(b, v)
	return b
}

func widen(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}
