package data

import (
	"math"
	"math/rand/v2"
	"testing"
)

func randImage(r *rand.Rand, h, w, c int) *Image {
	m := &Image{H: h, W: w, C: c, Pix: make([]uint8, h*w*c)}
	for i := range m.Pix {
		m.Pix[i] = uint8(r.IntN(256))
	}
	return m
}

// run resamples m through v and returns the float output scaled back to
// 0-255.
func run(m *Image, v View) []float32 {
	var rs resampler
	out := make([]float32, v.OutH*v.OutW*m.C)
	for i := range out {
		out[i] = float32(math.NaN()) // every value must be written
	}
	rs.image(m, &v, out, nil)
	for i := range out {
		out[i] *= 255
	}
	return out
}

func closeTo(got, want, atol float64) bool {
	return math.Abs(got-want) <= atol+1e-5*math.Abs(want)
}

func TestResampleIdentityAndFlip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	for _, c := range []int{1, 3, 4} {
		m := randImage(r, 5, 7, c)
		v := NewView(7, 5)
		got := run(m, v)
		v.Flip = true
		flipped := run(m, v)
		for y := range 5 {
			for x := range 7 {
				for k := range c {
					want := float64(m.Pix[(y*7+x)*c+k])
					if g := got[(y*7+x)*c+k]; !closeTo(float64(g), want, 1e-3) {
						t.Fatalf("C=%d identity (%d,%d,%d) = %v, want %v", c, y, x, k, g, want)
					}
					if g := flipped[(y*7+6-x)*c+k]; !closeTo(float64(g), want, 1e-3) {
						t.Fatalf("C=%d flip (%d,%d,%d) = %v, want %v", c, y, 6-x, k, g, want)
					}
				}
			}
		}
	}
}

// A crop at integer offsets without scaling copies pixels and pads with
// zeros, which is what CIFAR's pad-and-crop needs.
func TestResamplePaddedCrop(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 2))
	m := randImage(r, 8, 8, 3)
	for range 20 {
		x, y := r.IntN(9)-4, r.IntN(9)-4
		v := NewView(8, 8)
		v.Crop(x, y, 8, 8)
		got := run(m, v)
		for p := range 8 {
			for q := range 8 {
				sy, sx := p+y, q+x
				for k := range 3 {
					want := 0.0
					if sy >= 0 && sy < 8 && sx >= 0 && sx < 8 {
						want = float64(m.Pix[(sy*8+sx)*3+k])
					}
					if g := got[(p*8+q)*3+k]; !closeTo(float64(g), want, 1e-3) {
						t.Fatalf("crop at (%d,%d): out (%d,%d,%d) = %v, want %v", x, y, p, q, k, g, want)
					}
				}
			}
		}
	}
}

// Bilinear interpolation reproduces a linear ramp exactly where all its
// taps lie inside the image. When shrinking, the triangle filter's
// discrete taps can move its centroid by a fraction of a source pixel, so
// the ramp there holds to 0.1 pixel.
func TestResampleLinearRamp(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	const H, W = 60, 80
	m := &Image{H: H, W: W, C: 1, Pix: make([]uint8, H*W)}
	for y := range H {
		for x := range W {
			m.Pix[y*W+x] = uint8(x + 2*y) // value at pixel centre (x+0.5, y+0.5)
		}
	}
	for range 50 {
		v := NewView(W, H)
		v.Crop(r.IntN(20), r.IntN(15), 20+r.IntN(40), 15+r.IntN(30))
		v.Resize(5+r.IntN(60), 5+r.IntN(60))
		v.Flip = r.IntN(2) == 0
		got := run(m, v)
		sx, sy := v.BoxW/float64(v.OutW), v.BoxH/float64(v.OutH)
		margin := 2*max(1, sx, sy) + 1
		for p := range v.OutH {
			for q := range v.OutW {
				qq := q
				if v.Flip {
					qq = v.OutW - 1 - q
				}
				cx, cy := v.X0+(float64(qq)+0.5)*sx, v.Y0+(float64(p)+0.5)*sy
				if cx < margin || cx > W-margin || cy < margin || cy > H-margin {
					continue
				}
				want := (cx - 0.5) + 2*(cy-0.5)
				atol := 1e-2
				if sx > 1 || sy > 1 {
					atol = 0.1 * 3 // 0.1 pixel in x (slope 1) and y (slope 2)
				}
				if g := got[p*v.OutW+q]; !closeTo(float64(g), want, atol) {
					t.Fatalf("view %+v: out (%d,%d) = %v, want %v", v, p, q, g, want)
				}
			}
		}
	}
}

// Shrinking a one-pixel checkerboard by 3 must average it to mid-grey: a
// filter that does not widen with the scale would sample single pixels
// and return black and white.
func TestResampleAntialias(t *testing.T) {
	const N = 90
	m := &Image{H: N, W: N, C: 1, Pix: make([]uint8, N*N)}
	for i := range m.Pix {
		if (i/N+i%N)%2 == 0 {
			m.Pix[i] = 255
		}
	}
	v := NewView(N, N)
	v.Resize(N/3, N/3)
	for i, g := range run(m, v) {
		if math.Abs(float64(g)-127.5) > 0.1*255 {
			t.Fatalf("out %d = %v, want about 127.5", i, g)
		}
	}
}

func TestResampleNormalizeAndUint8(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 4))
	m := randImage(r, 6, 6, 3)
	v := NewView(6, 6)
	Normalize{}.Apply(&v, nil)
	var rs resampler
	out := make([]float32, 6*6*3)
	out8 := make([]uint8, 6*6*3)
	rs.image(m, &v, out, nil)
	rs.image(m, &v, nil, out8)
	for i, p := range m.Pix {
		c := i % 3
		want := (float64(p)/255 - float64(ImageNetMean[c])) / float64(ImageNetStd[c])
		if !closeTo(float64(out[i]), want, 1e-5) {
			t.Fatalf("normalised value %d = %v, want %v", i, out[i], want)
		}
		if out8[i] != p {
			t.Fatalf("uint8 value %d = %d, want %d", i, out8[i], p)
		}
	}
}

// Masks follow the image's geometry exactly: build an image whose grey
// level encodes the mask class in 8x8 blocks, transform both, and check
// that wherever the resampled image is unambiguous (inside a block) it
// agrees with the nearest-neighbour mask.
func TestMaskFollowsImage(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	const H, W = 64, 96
	img := &Image{H: H, W: W, C: 1, Pix: make([]uint8, H*W)}
	mask := &Image{H: H, W: W, C: 1, Pix: make([]uint8, H*W)}
	for y := range H {
		for x := range W {
			cls := uint8((y/8*13 + x/8*7) % 21)
			mask.Pix[y*W+x] = cls
			img.Pix[y*W+x] = cls * 10
		}
	}
	transforms := []Transform{RandomResizedCrop{Size: 40}, HorizontalFlip{}, RandomCrop{Size: 40, Pad: 6}}
	var rs resampler
	checked := 0
	for range 30 {
		v := NewView(W, H)
		for _, tr := range transforms {
			tr.Apply(&v, r)
		}
		out := make([]float32, 40*40)
		rs.image(img, &v, out, nil)
		outm := make([]int32, 40*40)
		rs.mask(mask, &v, outm)
		for i, cls := range outm {
			g := out[i] * 255
			if cls == Ignore {
				if g != 0 {
					t.Fatalf("padding pixel %d has image value %v", i, g)
				}
				continue
			}
			if math.Abs(float64(g)-float64(cls)*10) < 1e-3 {
				checked++
				continue
			}
			// Near a block edge the image blends; the mask must be one of
			// the blended classes, so the grey level cannot be far off.
			if math.Abs(float64(g)-float64(cls)*10) > 200 {
				t.Fatalf("pixel %d: image %v, mask %d", i, g, cls)
			}
		}
	}
	if checked < 30*40*40/4 {
		t.Fatalf("only %d pixels matched exactly", checked)
	}
}
