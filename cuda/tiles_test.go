//go:build cuda

package cuda

import "testing"

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
