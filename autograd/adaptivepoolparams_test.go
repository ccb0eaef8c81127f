package autograd_test

import (
	"math"
	"testing"

	"github.com/gocnn/gocnn/autograd"
)

// TestAdaptivePoolBins checks the bins along both axes against PyTorch's
// definition in real arithmetic, [floor(o*in/out), ceil((o+1)*in/out)),
// and the covering ranges against the bins by enumeration, for every size
// up to 24 each way: down, up (repeats) and equal.
func TestAdaptivePoolBins(t *testing.T) {
	for in := 1; in <= 24; in++ {
		for out := 1; out <= 24; out++ {
			rows := autograd.AdaptivePoolParams{N: 1, H: in, W: 3, C: 1, OutH: out, OutW: 2}
			cols := autograd.AdaptivePoolParams{N: 1, H: 3, W: in, C: 1, OutH: 2, OutW: out}
			for o := range out {
				lo := int(math.Floor(float64(o) * float64(in) / float64(out)))
				hi := int(math.Ceil(float64(o+1) * float64(in) / float64(out)))
				if l, h := rows.BinH(o); l != lo || h != hi {
					t.Errorf("%d->%d: BinH(%d) = [%d, %d), want [%d, %d)", in, out, o, l, h, lo, hi)
				}
				if l, h := cols.BinW(o); l != lo || h != hi {
					t.Errorf("%d->%d: BinW(%d) = [%d, %d), want [%d, %d)", in, out, o, l, h, lo, hi)
				}
			}
			for i := range in {
				lo, hi := -1, -1
				for o := range out {
					if l, h := rows.BinH(o); l <= i && i < h {
						if lo < 0 {
							lo = o
						}
						hi = o + 1
					}
				}
				if l, h := rows.CoverH(i); l != lo || h != hi {
					t.Errorf("%d->%d: CoverH(%d) = [%d, %d), want [%d, %d)", in, out, i, l, h, lo, hi)
				}
				if l, h := cols.CoverW(i); l != lo || h != hi {
					t.Errorf("%d->%d: CoverW(%d) = [%d, %d), want [%d, %d)", in, out, i, l, h, lo, hi)
				}
			}
		}
	}
}

func TestAdaptivePoolValidate(t *testing.T) {
	ok := autograd.AdaptivePoolParams{N: 2, H: 8, W: 5, C: 3, OutH: 7, OutW: 7}
	if err := ok.Validate(); err != nil {
		t.Errorf("%+v: %v", ok, err)
	}
	for _, bad := range []autograd.AdaptivePoolParams{
		{N: 2, H: 8, W: 5, C: 3, OutH: 0, OutW: 7},
		{N: 2, H: 8, W: 5, C: 3, OutH: 7, OutW: -1},
		{N: 2, H: 0, W: 5, C: 3, OutH: 7, OutW: 7},
	} {
		if bad.Validate() == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
}
