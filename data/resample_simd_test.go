package data

import (
	"math"
	"math/rand/v2"
	"testing"
)

// resampleBoth resamples m through v with the vector kernels and with the
// pure-Go passes, into float32 (out8 false) or 8-bit pixels.
func resampleBoth(m *Image, v *View, out8 bool) (vec, ref []float32, vec8, ref8 []uint8) {
	n := v.OutH * v.OutW * m.C
	var rs resampler
	for pass := range 2 {
		f, b := make([]float32, n), make([]uint8, n)
		for i := range f {
			f[i], b[i] = float32(math.NaN()), 77 // every value must be written
		}
		saved := simdRGB
		if pass == 1 {
			simdRGB = simdKernels{}
		}
		if out8 {
			rs.image(m, v, nil, b)
		} else {
			rs.image(m, v, f, nil)
		}
		simdRGB = saved
		if pass == 0 {
			vec, vec8 = f, b
		} else {
			ref, ref8 = f, b
		}
	}
	return vec, ref, vec8, ref8
}

// TestResampleVectorMatchesGo checks the AVX2 resampler against the pure-Go
// one on random RGB images and views: crops inside and past the edges,
// shrinking and enlarging, 1-pixel and odd-width outputs, flips, the three
// interpolations, with and without normalisation, float32 and 8-bit. The
// float outputs agree within 1e-3 grey levels (the kernels fuse multiply
// and add); an 8-bit output may differ only by one level, where the exact
// value lies within 1e-3 of a rounding boundary.
func TestResampleVectorMatchesGo(t *testing.T) {
	if simdRGB.vertical == nil {
		t.Skip("no vector kernels on this CPU or architecture")
	}
	r := rand.New(rand.NewPCG(3, 21))
	sizes := [][2]int{{1, 1}, {1, 7}, {7, 1}, {2, 3}, {5, 9}, {13, 8}, {37, 50}, {375, 500}}
	outs := [][2]int{{1, 1}, {1, 9}, {9, 1}, {3, 5}, {8, 8}, {7, 11}, {17, 23}, {224, 224}, {61, 97}}
	for trial := range 400 {
		sz, o := sizes[trial%len(sizes)], outs[r.IntN(len(outs))]
		m := randImage(r, sz[0], sz[1], 3)
		v := NewView(m.W, m.H)
		v.OutH, v.OutW = o[0], o[1]
		// Boxes from a sliver to past the image (padding), anywhere.
		v.BoxW = float64(m.W) * (0.05 + 1.3*r.Float64())
		v.BoxH = float64(m.H) * (0.05 + 1.3*r.Float64())
		v.X0 = (r.Float64() - 0.2) * float64(m.W)
		v.Y0 = (r.Float64() - 0.2) * float64(m.H)
		v.Flip = r.IntN(2) == 0
		v.Interpolation = Interpolation(r.IntN(3))
		if r.IntN(2) == 0 {
			v.Mean, v.Std = []float32{0.485, 0.456, 0.406}, []float32{0.229, 0.224, 0.225}
		}
		out8 := trial%3 == 0
		vec, ref, vec8, ref8 := resampleBoth(m, &v, out8)
		if !out8 {
			for i := range ref {
				c := i % 3
				g, w := float64(vec[i]), float64(ref[i])
				if v.Std != nil { // back to grey levels
					g, w = g*float64(v.Std[c])*255, w*float64(v.Std[c])*255
				} else {
					g, w = g*255, w*255
				}
				if !(math.Abs(g-w) <= 1e-3) {
					t.Fatalf("trial %d %dx%d -> %dx%d %+v: float %d = %v grey levels, want %v", trial, m.W, m.H, v.OutW, v.OutH, v, i, g, w)
				}
			}
			continue
		}
		var exact []float32
		for i := range ref8 {
			if vec8[i] == ref8[i] {
				continue
			}
			if exact == nil {
				u := v
				u.Mean, u.Std = nil, nil
				_, exact, _, _ = resampleBoth(m, &u, false)
			}
			e := float64(min(255, max(0, exact[i]*255)))
			d := math.Abs(e - math.Floor(e) - 0.5)
			if math.Abs(float64(vec8[i])-float64(ref8[i])) > 1 || d > 1e-3 {
				t.Fatalf("trial %d %dx%d -> %dx%d %+v: 8-bit %d = %d, want %d (exact %v)", trial, m.W, m.H, v.OutW, v.OutH, v, i, vec8[i], ref8[i], e)
			}
		}
	}
}

// TestResampleVectorExactWithoutScaling checks that a crop at the output's
// size on whole pixels (the CIFAR pad-and-crop, a centre crop without
// resizing) gives the same bits with the vector kernels as with the
// pure-Go passes, normalised or not, flipped or not: each output is one
// pixel times a weight of 1, and the normalisation rounds the product and
// the sum apart in both. Without it, a machine with AVX2 would feed a
// model other inputs than one without.
func TestResampleVectorExactWithoutScaling(t *testing.T) {
	if simdRGB.vertical == nil {
		t.Skip("no vector kernels on this CPU or architecture")
	}
	r := rand.New(rand.NewPCG(5, 8))
	for trial := range 60 {
		m := randImage(r, 40, 36, 3)
		v := NewView(m.W, m.H)
		v.OutH, v.OutW = 32, 24+trial%9
		v.BoxH, v.BoxW = float64(v.OutH), float64(v.OutW)
		v.Y0, v.X0 = float64(r.IntN(13)-4), float64(r.IntN(17)-4) // padding included
		v.Flip = trial%2 == 0
		if trial%3 != 0 {
			v.Mean, v.Std = []float32{0.4914, 0.4822, 0.4465}, []float32{0.247, 0.243, 0.261}
		}
		vec, ref, _, _ := resampleBoth(m, &v, false)
		for i := range ref {
			if math.Float32bits(vec[i]) != math.Float32bits(ref[i]) {
				t.Fatalf("trial %d %+v: float %d = %v, want %v bit for bit", trial, v, i, vec[i], ref[i])
			}
		}
	}
}
