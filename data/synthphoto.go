package data

import (
	"image"
	"math"
	"math/rand/v2"
)

// SyntheticPhoto draws a w x h RGB image with a photo's rough statistics,
// for benchmarks and tests where no photos are at hand: value noise
// summed over octaves with a 1/f amplitude spectrum (smooth shading and
// texture at every scale), a few hard-edged ellipses in their own colours
// (objects and edges), and a little per-pixel sensor noise. Encoded as
// JPEG at quality 90, 500x375 ones take about 92 KB, near the 110 KB of
// ImageNet's average training photo (a little larger than 500x375).
func SyntheticPhoto(w, h int, r *rand.Rand) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	lum := make([]float64, w*h)
	var chroma [2][]float64
	for c := range chroma {
		chroma[c] = make([]float64, w*h)
	}
	for cell := 128; cell >= 1; cell /= 2 {
		amp := 0.35 * math.Pow(float64(cell)/128, 0.3)
		addNoise(lum, w, h, cell, amp, r)
		if cell >= 8 {
			for c := range chroma {
				addNoise(chroma[c], w, h, cell, amp/2, r)
			}
		}
	}
	base := [3]float64{r.Float64(), r.Float64(), r.Float64()}
	blobs := make([][4]float64, 3+r.IntN(5))
	cols := make([][3]float64, len(blobs))
	for i := range blobs {
		blobs[i] = [4]float64{r.Float64() * float64(w), r.Float64() * float64(h),
			(0.05 + 0.3*r.Float64()) * float64(w), (0.05 + 0.3*r.Float64()) * float64(h)}
		cols[i] = [3]float64{r.Float64() - 0.5, r.Float64() - 0.5, r.Float64() - 0.5}
	}
	for y := range h {
		for x := range w {
			i := y*w + x
			rgb := base
			for b, e := range blobs {
				dx, dy := (float64(x)-e[0])/e[2], (float64(y)-e[1])/e[3]
				if dx*dx+dy*dy < 1 {
					for c := range rgb {
						rgb[c] += cols[b][c]
					}
				}
			}
			l := lum[i]
			rgb[0] += l + chroma[0][i]
			rgb[1] += l - 0.5*chroma[0][i] - 0.5*chroma[1][i]
			rgb[2] += l + chroma[1][i]
			for c := range rgb {
				v := 255*rgb[c] + 4*r.NormFloat64()
				m.Pix[4*i+c] = uint8(min(255, max(0, v)))
			}
			m.Pix[4*i+3] = 255
		}
	}
	return m
}

// addNoise adds to dst (w x h) value noise of the given cell size and
// amplitude: random values on a grid of cell x cell squares, bilinearly
// interpolated.
func addNoise(dst []float64, w, h, cell int, amp float64, r *rand.Rand) {
	gw, gh := w/cell+2, h/cell+2
	grid := make([]float64, gw*gh)
	for i := range grid {
		grid[i] = amp * (2*r.Float64() - 1)
	}
	for y := range h {
		gy, fy := y/cell, float64(y%cell)/float64(cell)
		for x := range w {
			gx, fx := x/cell, float64(x%cell)/float64(cell)
			g := grid[gy*gw+gx:]
			top := g[0] + fx*(g[1]-g[0])
			bot := g[gw] + fx*(g[gw+1]-g[gw])
			dst[y*w+x] += top + fy*(bot-top)
		}
	}
}
