package data

// Draft decoding: a JPEG whose view keeps only a small box of it, or
// shrinks it a lot, is decoded at 1/2, 1/4 or 1/8 of its size, as PIL's
// draft mode does. The view is planned on the header's size first, so the
// transforms draw exactly what they draw on the full-size image; only
// the box is then mapped into the smaller image's pixels.

// draftShrink returns the largest of 8, 4 and 2 by which v's box can be
// shrunk while still holding at least as many pixels as the output in
// each direction, or 1 when none can.
func draftShrink(v *View) int {
	for s := 8; s > 1; s /= 2 {
		if v.BoxW >= float64(s*v.OutW) && v.BoxH >= float64(s*v.OutH) {
			return s
		}
	}
	return 1
}

// shrink maps v, planned on a full-size image, onto that image decoded
// at 1/s of its size, whose pixel i covers full-size pixels
// [i*s, (i+1)*s) along each axis.
func (v *View) shrink(s int) {
	f := float64(s)
	v.X0, v.Y0, v.BoxW, v.BoxH = v.X0/f, v.Y0/f, v.BoxW/f, v.BoxH/f
}

// reduce shrinks m in place by s along both axes to ceil(H/s) x ceil(W/s)
// pixels, each the rounded mean of its s x s block (the last row and
// column of blocks average the pixels they have): what libjpeg-turbo's
// DCT-domain scaling approximates, so that the image/jpeg path decodes
// the same image as the libjpeg-turbo path, within the tolerance that
// TestDecodeShrunk states.
func reduce(m *Image, s int) {
	if s <= 1 {
		return
	}
	C, W := m.C, m.W
	h, w := (m.H+s-1)/s, (m.W+s-1)/s
	var sum [3]int
	for y := range h {
		y0, y1 := y*s, min(m.H, (y+1)*s)
		for x := range w {
			x0, x1 := x*s, min(W, (x+1)*s)
			n := (y1 - y0) * (x1 - x0)
			for c := range C {
				sum[c] = n / 2
			}
			for yy := y0; yy < y1; yy++ {
				row := m.Pix[(yy*W+x0)*C : (yy*W+x1)*C]
				for i := 0; i < len(row); i += C {
					for c := range C {
						sum[c] += int(row[i+c])
					}
				}
			}
			// In place: block (y, x) starts at or after pixel
			// y*w+x, and earlier blocks were written before it.
			o := (y*w + x) * C
			for c := range C {
				m.Pix[o+c] = uint8(sum[c] / n)
			}
		}
	}
	m.H, m.W = h, w
	m.Pix = m.Pix[:h*w*C]
}
