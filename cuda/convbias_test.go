//go:build cuda

package cuda

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/cpu"
)

// TestConv2DBiasAgainstCPU checks the convolution forward's epilogue
// (Conv2DBias, conv2d_forward_bias) at fp32, tf32 and bf16, on every tile
// of each (forced), over tensorConvCases (strided, pointwise, groups,
// depthwise, channel counts that fill no tile), with and without ReLU, the
// GPU's outputs NaN-poisoned: the fused output must equal, bit for bit,
// the CPU backend's AddBias and Activation applied to the GPU's own
// Conv2D result (the numerics the CPU reference defines: the rounded
// convolution, the bias added in fp32, the ReLU), and the GPU's own
// Conv2D, AddBias and Activation launches. Then BiasReLUBackward against
// the GPU's ActivationBackward and SumRows (bit for bit) and the CPU's
// (the mask exactly, the sums within one float32 rounding).
func TestConv2DBiasAgainstCPU(t *testing.T) {
	defer func() { forcedTile = nil }()
	rng := rand.New(rand.NewPCG(23, 1))
	host := cpu.New(0)
	for _, c := range []struct {
		p     autograd.Precision
		tiles []tile
	}{
		{autograd.FP32, []tile{bigTile, tallTile, smallTile}},
		{autograd.TF32, []tile{tf32Tile, tf32TallTile}},
		{autograd.BF16, []tile{bf16Tile, bf16TallTile}},
	} {
		gpu.SetPrecision(c.p)
		for _, tl := range c.tiles {
			forcedTile = &tl
			for _, cc := range tensorConvCases {
				for _, relu := range []bool{true, false} {
					name := fmt.Sprintf("%v %dx%d tile %s relu=%v", c.p, tl.bm, tl.bn, cc.name, relu)
					checkConv2DBias(t, rng, host, name, cc.p, relu)
				}
			}
		}
	}
	gpu.SetPrecision(autograd.FP32)
}

// checkConv2DBias runs one case of TestConv2DBiasAgainstCPU.
func checkConv2DBias(t *testing.T, rng *rand.Rand, host *cpu.Backend, name string, p autograd.ConvParams, relu bool) {
	t.Helper()
	in, out, filt := p.N*p.H*p.W*p.C, p.N*p.P()*p.Q()*p.K, p.K*p.R*p.S*(p.C/p.Groups)
	rows := out / p.K
	x, w, bias := randn(rng, in), randn(rng, filt), randn(rng, p.K)
	gx, gw, gb := upload(t, gpu, x), upload(t, gpu, w), upload(t, gpu, bias)
	fused, plain := poisoned(out), poisoned(out)
	gpu.Conv2DBias(p, relu, gx, gw, gb, fused)
	gpu.Conv2D(p, gx, gw, plain)
	conv := download(gpu, plain)
	gpu.AddBias(rows, p.K, plain, gb, plain)
	if relu {
		gpu.Activation(autograd.ActReLU, plain, plain)
	}
	// The CPU's epilogue on the GPU's convolution.
	hc, hb := upload(t, host, conv), upload(t, host, bias)
	host.AddBias(rows, p.K, hc, hb, hc)
	if relu {
		host.Activation(autograd.ActReLU, hc, hc)
	}
	got := download(gpu, fused)
	sameFloats(t, name+" forward against the CPU's epilogue", got, cpu.Float32s(hc))
	sameFloats(t, name+" forward against Conv2D, AddBias, Activation", got, download(gpu, plain))
	if relu {
		dy := randn(rng, out)
		gdy := upload(t, gpu, dy)
		gdx, gdb, pdx, pdb := poisoned(out), poisoned(p.K), poisoned(out), poisoned(p.K)
		gpu.BiasReLUBackward(rows, p.K, fused, gdy, gdx, gdb)
		gpu.ActivationBackward(autograd.ActReLU, fused, fused, gdy, pdx)
		gpu.SumRows(rows, p.K, pdx, pdb)
		dx, db := download(gpu, gdx), download(gpu, gdb)
		sameFloats(t, name+" backward dx against ActivationBackward", dx, download(gpu, pdx))
		sameFloats(t, name+" backward dbias against SumRows", db, download(gpu, pdb))
		hy, hdy := upload(t, host, got), upload(t, host, dy)
		hdx, hdb := host.Alloc(autograd.Float32, out), host.Alloc(autograd.Float32, p.K)
		host.BiasReLUBackward(rows, p.K, hy, hdy, hdx, hdb)
		sameFloats(t, name+" backward dx against the CPU", dx, cpu.Float32s(hdx))
		// Both sum in float64 (in other bands) and round once: at most
		// one step of float32 apart.
		for i, want := range cpu.Float32s(hdb) {
			if d := math.Abs(float64(db[i]) - float64(want)); !(d <= 0x1p-23*math.Abs(float64(want))) {
				t.Errorf("%s: backward dbias %d = %v, the CPU's %v", name, i, db[i], want)
				break
			}
		}
		for _, b := range []autograd.Buffer{gdy, gdx, gdb, pdx, pdb} {
			gpu.Free(b)
		}
	}
	for _, b := range []autograd.Buffer{gx, gw, gb, fused, plain} {
		gpu.Free(b)
	}
}

// sameFloats fails unless got and want hold equal values (a NaN equals
// nothing; +0 and -0 are equal: the GPU's ReLU keeps a -0 that Go's max
// makes +0).
func sameFloats(t *testing.T, what string, got, want []float32) {
	t.Helper()
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%s: element %d = %v, want %v (bits %08x, %08x)", what, i, got[i], want[i],
				math.Float32bits(got[i]), math.Float32bits(want[i]))
			return
		}
	}
}
