package data

import "math"

// affineOp resamples an image through an affine map from output to input
// coordinates, as torchvision's affine and rotate on tensors (fill 0):
// with x right and y down, in pixels from the image's centre, output
// point (x, y) reads input point (m0 x + m1 y + m2, m3 x + m4 y + m5), by
// nearest neighbour (ties to even, as grid_sample) or bilinearly, reading
// zero outside the image, rounded back to 8 bits. Coordinates are
// computed in float64 where torch uses float32.
type affineOp struct {
	m       [6]float64
	nearest bool
}

// shearX slants an image of height h horizontally about its top edge:
// output pixel (column j, row i) reads input (j + s*(i + 1/2), i), as
// torchvision's ShearX, which shears about the top-left corner.
func shearX(s float64, h int, nearest bool) affineOp {
	return affineOp{m: [6]float64{1, s, s * float64(h) / 2, 0, 1, 0}, nearest: nearest}
}

// shearY slants an image of width w vertically about its left edge:
// output pixel (j, i) reads input (j, i + s*(j + 1/2)).
func shearY(s float64, w int, nearest bool) affineOp {
	return affineOp{m: [6]float64{1, 0, 0, s, 1, s * float64(w) / 2}, nearest: nearest}
}

// translate moves the image dx pixels right and dy down.
func translate(dx, dy int, nearest bool) affineOp {
	return affineOp{m: [6]float64{1, 0, -float64(dx), 0, 1, -float64(dy)}, nearest: nearest}
}

// rotate turns the image deg degrees counter-clockwise about its centre.
func rotate(deg float64, nearest bool) affineOp {
	s, c := math.Sincos(deg * math.Pi / 180)
	return affineOp{m: [6]float64{c, -s, 0, s, c, 0}, nearest: nearest}
}

func (o affineOp) apply(m *Image, s *scratch) {
	copyImage(&s.tmp, m)
	src, W, H, C := s.tmp.Pix, m.W, m.H, m.C
	cx, cy := float64(W)/2, float64(H)/2
	for i := range H {
		y := float64(i) + 0.5 - cy
		for j := range W {
			x := float64(j) + 0.5 - cx
			// The input pixel index under the mapped point.
			sx := o.m[0]*x + o.m[1]*y + o.m[2] + cx - 0.5
			sy := o.m[3]*x + o.m[4]*y + o.m[5] + cy - 0.5
			out := m.Pix[(i*W+j)*C : (i*W+j+1)*C]
			if o.nearest {
				px, py := int(math.RoundToEven(sx)), int(math.RoundToEven(sy))
				if px < 0 || px >= W || py < 0 || py >= H {
					clear(out)
					continue
				}
				copy(out, src[(py*W+px)*C:])
				continue
			}
			x0, y0 := math.Floor(sx), math.Floor(sy)
			fx, fy := sx-x0, sy-y0
			for c := range C {
				var v float64
				for _, t := range [4]struct {
					dx, dy int
					w      float64
				}{{0, 0, (1 - fx) * (1 - fy)}, {1, 0, fx * (1 - fy)}, {0, 1, (1 - fx) * fy}, {1, 1, fx * fy}} {
					px, py := int(x0)+t.dx, int(y0)+t.dy
					if px >= 0 && px < W && py >= 0 && py < H {
						v += t.w * float64(src[(py*W+px)*C+c])
					}
				}
				out[c] = clampRound(v)
			}
		}
	}
}
