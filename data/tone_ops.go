package data

// The tone operations of torchvision's functional API on uint8 images:
// posterize, solarize, autocontrast, equalize and invert, each per channel.

// posterizeOp keeps the top bits of every value (posterize).
type posterizeOp struct{ bits int }

func (o posterizeOp) apply(m *Image, _ *scratch) {
	mask := uint8(0xff << (8 - o.bits))
	for i, p := range m.Pix {
		m.Pix[i] = p & mask
	}
}

// solarizeOp inverts every value at or above threshold (solarize; the
// comparison is torch's, in float32).
type solarizeOp struct{ threshold float64 }

func (o solarizeOp) apply(m *Image, _ *scratch) {
	t := float32(o.threshold)
	for i, p := range m.Pix {
		if float32(p) >= t {
			m.Pix[i] = 255 - p
		}
	}
}

// invertOp inverts every value (invert).
type invertOp struct{}

func (invertOp) apply(m *Image, _ *scratch) {
	for i, p := range m.Pix {
		m.Pix[i] = 255 - p
	}
}

// autoContrastOp stretches each channel to span [0, 255]: (v - min) *
// 255/(max - min) in float32, truncated; a flat channel stays
// (autocontrast).
type autoContrastOp struct{}

func (autoContrastOp) apply(m *Image, _ *scratch) {
	C := m.C
	for c := range C {
		lo, hi := uint8(255), uint8(0)
		for i := c; i < len(m.Pix); i += C {
			lo, hi = min(lo, m.Pix[i]), max(hi, m.Pix[i])
		}
		if lo == hi {
			continue
		}
		scale := float32(255) / float32(hi-lo)
		for i := c; i < len(m.Pix); i += C {
			m.Pix[i] = uint8(min(255, (float32(m.Pix[i])-float32(lo))*scale))
		}
	}
}

// equalizeOp flattens each channel's histogram with PIL's lookup table,
// which torchvision's equalize reproduces: step = (pixels but those of the
// last occupied level) / 255, level v -> (pixels below v + step/2) / step,
// in integers; a channel with step 0 stays.
type equalizeOp struct{}

func (equalizeOp) apply(m *Image, _ *scratch) {
	C := m.C
	for c := range C {
		var hist [256]int
		for i := c; i < len(m.Pix); i += C {
			hist[m.Pix[i]]++
		}
		last := 255
		for hist[last] == 0 {
			last--
		}
		step := (m.H*m.W - hist[last]) / 255
		if step == 0 {
			continue
		}
		var lut [256]uint8
		below := 0
		for v := range 256 {
			lut[v] = uint8(min(255, (below+step/2)/step))
			below += hist[v]
		}
		for i := c; i < len(m.Pix); i += C {
			m.Pix[i] = lut[m.Pix[i]]
		}
	}
}
