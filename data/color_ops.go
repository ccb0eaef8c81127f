package data

// The colour operations of torchvision's functional API on uint8 images
// (torchvision.transforms._functional_tensor): adjust_brightness,
// adjust_saturation, adjust_contrast, adjust_sharpness and adjust_hue. They
// compute in float32, as torch does, and truncate back to 8 bits, so
// hand-computed cases match torchvision's to the level. Each takes 1- or
// 3-channel images; saturation and hue leave 1-channel images alone.

// blend is torchvision's _blend on uint8 images: ratio*a + (1-ratio)*b in
// float32, clamped to [0, 255] and truncated. r and q are float32(ratio)
// and float32(1-ratio); the conversions keep each product rounded to
// float32, as torch's separate multiplications are.
func blend(a uint8, b, r, q float32) uint8 {
	x := float32(r*float32(a)) + float32(q*b)
	return uint8(min(255, max(0, x)))
}

// ratios returns blend's float32 weights for a factor.
func ratios(factor float64) (r, q float32) { return float32(factor), float32(1 - factor) }

// gray is torchvision's rgb_to_grayscale of one uint8 pixel: ITU-R 601-2
// luma with its weights 0.2989, 0.587, 0.114, in float32, truncated (white
// comes out 254).
func gray(r, g, b uint8) uint8 {
	l := float32(float32(0.2989)*float32(r)) + float32(float32(0.587)*float32(g))
	l = l + float32(float32(0.114)*float32(b))
	return uint8(l)
}

// brightnessOp multiplies every value by factor (adjust_brightness).
type brightnessOp struct{ factor float64 }

func (o brightnessOp) apply(m *Image, _ *scratch) {
	r, q := ratios(o.factor)
	for i, p := range m.Pix {
		m.Pix[i] = blend(p, 0, r, q)
	}
}

// saturationOp blends each pixel with its grey level: 0 makes the image
// grey, 1 leaves it (adjust_saturation; AutoAugment's Color).
type saturationOp struct{ factor float64 }

func (o saturationOp) apply(m *Image, _ *scratch) {
	if m.C != 3 {
		return
	}
	r, q := ratios(o.factor)
	for i := 0; i < len(m.Pix); i += 3 {
		px := m.Pix[i : i+3]
		g := float32(gray(px[0], px[1], px[2]))
		px[0], px[1], px[2] = blend(px[0], g, r, q), blend(px[1], g, r, q), blend(px[2], g, r, q)
	}
}

// contrastOp blends the image with the mean of its grey levels (of its
// values, for one channel): 0 makes it flat grey (adjust_contrast).
type contrastOp struct{ factor float64 }

func (o contrastOp) apply(m *Image, _ *scratch) {
	var sum int
	if m.C == 3 {
		for i := 0; i < len(m.Pix); i += 3 {
			sum += int(gray(m.Pix[i], m.Pix[i+1], m.Pix[i+2]))
		}
	} else {
		for _, p := range m.Pix {
			sum += int(p)
		}
	}
	mean := float32(sum) / float32(m.H*m.W)
	r, q := ratios(o.factor)
	for i, p := range m.Pix {
		m.Pix[i] = blend(p, mean, r, q)
	}
}

// sharpnessOp blends the image with a smoothed copy (the 3x3 kernel
// [1 1 1; 1 5 1; 1 1 1]/13, rounded to 8 bits, borders kept): 0 smooths,
// 2 sharpens (adjust_sharpness). Images with a side of 2 pixels or less
// are left alone, as torchvision does.
type sharpnessOp struct{ factor float64 }

func (o sharpnessOp) apply(m *Image, s *scratch) {
	if m.W <= 2 || m.H <= 2 {
		return
	}
	copyImage(&s.tmp, m)
	src, W, C := s.tmp.Pix, m.W, m.C
	r, q := ratios(o.factor)
	for y := 1; y < m.H-1; y++ {
		for x := 1; x < W-1; x++ {
			for c := range C {
				sum := 4 * int(src[(y*W+x)*C+c])
				for dy := -1; dy <= 1; dy++ {
					for dx := -1; dx <= 1; dx++ {
						sum += int(src[((y+dy)*W+x+dx)*C+c])
					}
				}
				// round(sum/13): never a tie, as 2*sum is even and 13 odd.
				smooth := float32((2*sum + 13) / 26)
				i := (y*W+x)*C + c
				m.Pix[i] = blend(src[i], smooth, r, q)
			}
		}
	}
}

// hueOp turns every pixel's hue by shift, a fraction of the colour circle
// in [-0.5, 0.5] (adjust_hue: float32 HSV, then v*255.999 truncated).
type hueOp struct{ shift float64 }

func (o hueOp) apply(m *Image, _ *scratch) {
	if m.C != 3 {
		return
	}
	shift := float32(o.shift)
	for i := 0; i < len(m.Pix); i += 3 {
		px := m.Pix[i : i+3]
		h, s, v := rgbToHSV(float32(px[0])/255, float32(px[1])/255, float32(px[2])/255)
		h = fmod1(h + shift)
		r, g, b := hsvToRGB(h, s, v)
		px[0], px[1], px[2] = toUint8(r), toUint8(g), toUint8(b)
	}
}

// fmod1 is torch.fmod(x, 1) for x > -1 shifted into [0, 1) as
// (x + 1) mod 1, and x mod 1 for x >= 0: the hue wrapped onto the circle.
func fmod1(x float32) float32 {
	for x < 0 {
		x++
	}
	for x >= 1 {
		x--
	}
	return x
}

// toUint8 is torchvision's convert_image_dtype from float to uint8.
func toUint8(x float32) uint8 { return uint8(min(255, max(0, x*(255+1-1e-3)))) }

// rgbToHSV is torchvision's _rgb2hsv on values in [0, 1].
func rgbToHSV(r, g, b float32) (h, s, v float32) {
	maxc, minc := max(r, g, b), min(r, g, b)
	cr := maxc - minc
	if cr == 0 {
		return 0, 0, maxc
	}
	s = cr / maxc
	rc, gc, bc := (maxc-r)/cr, (maxc-g)/cr, (maxc-b)/cr
	switch {
	case maxc == r:
		h = bc - gc
	case maxc == g:
		h = 2 + rc - bc
	default:
		h = 4 + gc - rc
	}
	return fmod1(h/6 + 1), s, maxc
}

// hsvToRGB is torchvision's _hsv2rgb.
func hsvToRGB(h, s, v float32) (r, g, b float32) {
	// The conversions round every product to float32 before the next
	// operation, as torch's separate tensor operations do.
	h6 := float32(h * 6)
	i := float32(int(h6))
	f := h6 - i
	p := min(1, max(0, v*(1-s)))
	q := min(1, max(0, v*(1-float32(s*f))))
	t := min(1, max(0, v*(1-float32(s*(1-f)))))
	switch int(i) % 6 {
	case 0:
		return v, t, p
	case 1:
		return q, v, p
	case 2:
		return p, v, t
	case 3:
		return p, q, v
	case 4:
		return t, p, v
	}
	return v, p, q
}
