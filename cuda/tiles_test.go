//go:build cuda

package cuda

import (
	"testing"

	"github.com/gocnn/gocnn/autograd"
)

// TestTallTile runs the fp32 products and convolutions against their
// references with every launch forced onto the 128x64 tile, which plan
// picks only for some shapes: the GEMM cases of
// TestGemmAgainstReference (every transpose, split and unsplit, ragged
// edges) and the geometries of TestConvAgainstCPU (all three passes).
func TestTallTile(t *testing.T) {
	forcedTile = &tallTile
	defer func() { forcedTile = nil }()
	t.Run("gemm", TestGemmAgainstReference)
	t.Run("conv", TestConvAgainstCPU)
}

// TestTensorCoreTallTiles runs TestGemmBF16Tiled's and
// TestGemmTF32Tiled's checks (every transpose, split and unsplit, within
// the derived bound and bit for bit on near-integer operands), and
// TestConvBF16AgainstCPU's and TestConvTF32AgainstCPU's (the three passes
// of every tensorConvCases geometry: strided input gradients' phases,
// groups, the split filter gradient), with every launch forced onto the
// 128x64 tensor-core tile of the precision.
func TestTensorCoreTallTiles(t *testing.T) {
	defer func() { forcedTile = nil }()
	for _, c := range []struct {
		p                  autograd.Precision
		tile               tile
		gemmSeed, convSeed uint64
	}{{autograd.BF16, bf16TallTile, 4, 3}, {autograd.TF32, tf32TallTile, 6, 5}} {
		forcedTile = &c.tile
		t.Run(c.p.String(), func(t *testing.T) {
			t.Run("gemm", func(t *testing.T) { testGemmTiled(t, c.p, c.gemmSeed) })
			t.Run("conv", func(t *testing.T) { testConvAgainstCPU(t, c.p, c.convSeed) })
		})
	}
}
