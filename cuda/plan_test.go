//go:build cuda

package cuda

import (
	"fmt"
	"testing"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/kernels"
)

// planCases are products of ResNet-50 (batch 128, 224x224) and ResNet-20
// (batch 128, 32x32) as the backend plans them, on an H100's or H200's
// 132 SMs, with the tile plan must pick: (m, n, k, batch) as gemm and
// conv.go pass them (k = 0 for the forward and input-gradient passes,
// which never split; the filter gradient's m is the filter count, n its
// taps R*S*C, k the output pixels).
//
// ampBM is the rows of the tensor-core tile plan must pick at bf16 and
// tf32, by the same rule among 128x64 and 64x64 (products and
// convolution passes alike): 128 where the 128x64 tile fills the device
// with no more padded work than 64x64, else 64.
var planCases = []struct {
	name           string
	m, n, k, batch int
	want           tile
	ampBM          int
}{
	// 64 output channels: half of the 128x128 tile's columns would pad.
	{"r50 stem 7x7s2 3->64 forward", 128 * 112 * 112, 64, 0, 1, tallTile, 128},
	{"r50 1x1 64->64 (gemm)", 128 * 56 * 56, 64, 64, 1, tallTile, 128},
	{"r50 3x3 64->64 forward", 128 * 56 * 56, 64, 0, 1, tallTile, 128},
	{"r50 3x3 64->64 input gradient", 128 * 56 * 56, 64, 0, 1, tallTile, 128},
	// 64 filters: 64 rows, so the 64x64 tile pads nothing.
	{"r50 3x3 64->64 filter gradient", 64, 9 * 64, 128 * 56 * 56, 1, smallTile, 64},
	// Multiples of 128 on both sides: no tile pads, the largest wins.
	{"r50 1x1 64->256 (gemm)", 128 * 56 * 56, 256, 64, 1, bigTile, 128},
	{"r50 3x3 128->128 forward", 128 * 28 * 28, 128, 0, 1, bigTile, 128},
	{"r50 1x1 512->2048 at 7x7 (gemm)", 128 * 7 * 7, 2048, 512, 1, bigTile, 128},
	{"r50 3x3 512->512 filter gradient", 512, 9 * 512, 128 * 7 * 7, 1, bigTile, 128},
	// fc 2048->1000: 128 rows; no tile fills the device unsplit; the
	// 128x64 and 64x64 tiles reach 128 blocks split (the 128x128 64) with
	// the same padding (1000 -> 1024 columns): the larger wins.
	{"r50 fc 2048->1000", 128, 1000, 2048, 1, tallTile, 64},
	// ResNet-20: 16 channels pad every tile to 64 columns or more.
	{"r20 3x3 16->16 forward", 128 * 32 * 32, 16, 0, 1, tallTile, 128},
	{"r20 3x3 32->32 forward", 128 * 16 * 16, 32, 0, 1, tallTile, 128},
	// 8192 rows of 64: 64 blocks of 128x64, 128 of 64x64, none fills.
	{"r20 3x3 64->64 forward", 128 * 8 * 8, 64, 0, 1, smallTile, 64},
	{"r20 fc 64->10", 128, 10, 64, 1, smallTile, 64},
}

// TestPlanPicksLeastPaddedTile checks plan's tile on the planCases at
// fp32 and logs each tile's padded work against the useful m*n*k.
func TestPlanPicksLeastPaddedTile(t *testing.T) {
	b := &Backend{sms: 132}
	for _, c := range planCases {
		got, splits, _ := b.plan(c.m, c.n, c.k, c.batch)
		if got != c.want {
			t.Errorf("%s: (m %d, n %d, k %d) got the %dx%d tile, want %dx%d", c.name, c.m, c.n, c.k,
				got.bm, got.bn, c.want.bm, c.want.bn)
		}
		useful := float64(c.m) * float64(c.n) * float64(max(c.k, 1)) * float64(c.batch)
		line := ""
		for _, tl := range b.tiles() {
			s := tl.splits(c.m, c.n, c.k, c.batch, b.sms)
			line += fmt.Sprintf(" %dx%d: %.3fx, %d blocks;", tl.bm, tl.bn,
				float64(tl.work(c.m, c.n, c.k, c.batch))/useful, tl.blocks(c.m, c.n, c.batch)*s)
		}
		t.Logf("%s -> %dx%d (%d splits):%s", c.name, got.bm, got.bn, splits, line)
	}
}

// TestPlanTensorCores checks the tensor-core tiles bf16 and tf32 plan on
// the planCases: each case's ampBM rows, 64 columns, of the precision.
func TestPlanTensorCores(t *testing.T) {
	for p, kinds := range map[autograd.Precision][2]kernels.Tile{
		autograd.BF16: {kernels.BF16, kernels.BF16Tall}, autograd.TF32: {kernels.TF32, kernels.TF32Tall}} {
		b := &Backend{sms: 132, precision: p}
		for _, c := range planCases {
			got, _, _ := b.plan(c.m, c.n, c.k, c.batch)
			want := kinds[c.ampBM/128]
			if got.kind != want || got.bm != c.ampBM || got.bn != 64 {
				t.Errorf("%v: %s: got tile %v (%dx%d), want %v (%dx64)", p, c.name, got.kind, got.bm, got.bn, want, c.ampBM)
			}
		}
	}
}
