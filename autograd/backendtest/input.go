package backendtest

import (
	"fmt"
	"math"
	"slices"
	"testing"

	"github.com/gocnn/gocnn/autograd"
)

var (
	_ = register("PixelsToFloat32", testPixelsToFloat32)
	_ = register("TopKCounts", testTopKCounts)
)

// testPixelsToFloat32 converts random uint8 images of 1, 3 and 4 channels
// with per-channel normalisation, as the input pipeline does on the device.
func testPixelsToFloat32(t *testing.T, dev *autograd.Device) {
	rng := newRand(t)
	be := dev.Backend()
	for _, rows := range []int{1, 7, 1000, 50177} {
		for _, cols := range []int{1, 3, 4} {
			pix := make([]uint8, rows*cols)
			for i := range pix {
				pix[i] = uint8(rng.IntN(256))
			}
			scale, shift := make([]float32, cols), make([]float32, cols)
			for c := range cols {
				std, mean := 0.2+0.1*rng.Float32(), 0.4+0.2*rng.Float32()
				scale[c], shift[c] = 1/255/std, -mean/std
			}
			x := autograd.Empty(dev, autograd.Uint8, rows, cols)
			be.WriteUint8(x.Buffer(), pix)
			s, h := autograd.FromFloat32s(dev, scale, cols), autograd.FromFloat32s(dev, shift, cols)
			y := autograd.Empty(dev, autograd.Float32, rows, cols)
			be.PixelsToFloat32(rows, cols, x.Buffer(), s.Buffer(), h.Buffer(), y.Buffer())
			want := make([]float64, rows*cols)
			for i, v := range pix {
				c := i % cols
				want[i] = float64(v)*float64(scale[c]) + float64(shift[c])
			}
			allClose(t, fmt.Sprintf("PixelsToFloat32 rows=%d cols=%d", rows, cols), y.Float32s(), want, 1e-6, 1e-6)
			unchanged(t, "PixelsToFloat32 scale", s, scale)
		}
	}
}

// testTopKCounts counts top-1..top-5 hits on logits drawn from a few
// values, so that ties are common, with NaN label logits and labels out of
// range mixed in; the counts must be exact.
func testTopKCounts(t *testing.T, dev *autograd.Device) {
	rng := newRand(t)
	be := dev.Backend()
	for _, rows := range []int{1, 5, 37, 300} {
		for _, classes := range []int{1, 3, 10, 1000} {
			for _, k := range []int{1, 5} {
				logits := make([]float32, rows*classes)
				for i := range logits {
					logits[i] = float32(rng.IntN(7))
				}
				labels := make([]int32, rows)
				for r := range labels {
					labels[r] = int32(rng.IntN(classes))
					switch rng.IntN(10) {
					case 0:
						logits[r*classes+int(labels[r])] = float32(math.NaN())
					case 1:
						labels[r] = int32(classes) // out of range: counts in none
					case 2:
						labels[r] = -1
					}
				}
				x := autograd.FromFloat32s(dev, logits, rows, classes)
				l := autograd.FromInt32s(dev, labels, rows)
				counts := autograd.Empty(dev, autograd.Float32, k)
				be.TopKCounts(rows, classes, x.Buffer(), l.Buffer(), counts.Buffer())
				want := topKRef(logits, labels, classes, k)
				if got := counts.Float32s(); !slices.Equal(got, want) {
					t.Errorf("TopKCounts rows=%d classes=%d k=%d: %v, want %v", rows, classes, k, got, want)
				}
				if !slices.EqualFunc(x.Float32s(), logits, sameBits) {
					t.Errorf("TopKCounts: logits modified")
				}
			}
		}
	}
}

func sameBits(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) }

// topKRef is TopKCounts written out: rank = logits greater, plus equal
// ones before the label.
func topKRef(logits []float32, labels []int32, classes, k int) []float32 {
	counts := make([]float32, k)
	for r, label := range labels {
		if label < 0 || int(label) >= classes {
			continue
		}
		row := logits[r*classes : (r+1)*classes]
		v := row[label]
		if v != v {
			continue
		}
		rank := 0
		for j, x := range row {
			if x > v || (x == v && j < int(label)) {
				rank++
			}
		}
		for j := rank; j < k; j++ {
			counts[j]++
		}
	}
	return counts
}
