package data

import (
	"image"
	"image/color"
)

// toImage converts a decoded image to c-channel 8-bit HWC pixels. The
// common decoder outputs get direct loops; anything else goes through
// color.NRGBAModel, slow but exact.
func toImage(dst *Image, m image.Image, c int) {
	r := m.Bounds()
	dst.reshape(r.Dy(), r.Dx(), c)
	switch m := m.(type) {
	case *image.YCbCr:
		fromYCbCr(dst, m)
	case *image.Gray:
		for y := range dst.H {
			row := m.Pix[y*m.Stride : y*m.Stride+dst.W]
			out := dst.Pix[y*dst.W*c : (y+1)*dst.W*c]
			if c == 1 {
				copy(out, row)
				continue
			}
			for x, v := range row {
				out[3*x], out[3*x+1], out[3*x+2] = v, v, v
			}
		}
	case *image.CMYK:
		for y := range dst.H {
			for x := range dst.W {
				i := y*m.Stride + 4*x
				rr, g, b := color.CMYKToRGB(m.Pix[i], m.Pix[i+1], m.Pix[i+2], m.Pix[i+3])
				put(dst, y, x, rr, g, b)
			}
		}
	case *image.NRGBA:
		for y := range dst.H {
			for x := range dst.W {
				i := y*m.Stride + 4*x
				put(dst, y, x, m.Pix[i], m.Pix[i+1], m.Pix[i+2])
			}
		}
	case *image.Paletted:
		var table [256][3]uint8 // indices past the palette read as black
		for i, col := range m.Palette {
			n := color.NRGBAModel.Convert(col).(color.NRGBA)
			table[i] = [3]uint8{n.R, n.G, n.B}
		}
		for y := range dst.H {
			for x, v := range m.Pix[y*m.Stride : y*m.Stride+dst.W] {
				put(dst, y, x, table[v][0], table[v][1], table[v][2])
			}
		}
	default:
		for y := range dst.H {
			for x := range dst.W {
				n := color.NRGBAModel.Convert(m.At(r.Min.X+x, r.Min.Y+y)).(color.NRGBA)
				put(dst, y, x, n.R, n.G, n.B)
			}
		}
	}
}

// put stores one RGB pixel, reduced to luma (ITU-R 601, as color.GrayModel)
// for one-channel images.
func put(dst *Image, y, x int, r, g, b uint8) {
	i := (y*dst.W + x) * dst.C
	if dst.C == 1 {
		dst.Pix[i] = luma(r, g, b)
		return
	}
	dst.Pix[i], dst.Pix[i+1], dst.Pix[i+2] = r, g, b
}

func luma(r, g, b uint8) uint8 {
	r16, g16, b16 := uint32(r)*0x101, uint32(g)*0x101, uint32(b)*0x101
	return uint8((19595*r16 + 38470*g16 + 7471*b16 + 1<<15) >> 24)
}

// fromYCbCr takes the Y plane as the luma of one-channel images. It
// converts without YCbCr.COffset's per-pixel switch: the chroma
// subsampling becomes two shifts fixed for the whole image.
func fromYCbCr(dst *Image, m *image.YCbCr) {
	var sx, sy uint // log2 of the horizontal and vertical subsampling
	switch m.SubsampleRatio {
	case image.YCbCrSubsampleRatio422:
		sx = 1
	case image.YCbCrSubsampleRatio420:
		sx, sy = 1, 1
	case image.YCbCrSubsampleRatio440:
		sy = 1
	case image.YCbCrSubsampleRatio411:
		sx = 2
	case image.YCbCrSubsampleRatio410:
		sx, sy = 2, 1
	}
	x0, y0 := m.Rect.Min.X, m.Rect.Min.Y
	for y := range dst.H {
		yrow := m.Y[y*m.YStride : y*m.YStride+dst.W]
		out := dst.Pix[y*dst.W*dst.C : (y+1)*dst.W*dst.C]
		if dst.C == 1 {
			copy(out, yrow) // luma is the Y plane
			continue
		}
		ci := ((y0+y)>>sy - y0>>sy) * m.CStride
		cb, cr := m.Cb[ci:], m.Cr[ci:]
		// Each chroma sample serves 1<<sx pixels of the row: compute its
		// three terms once. Decoded JPEGs start at x0 = 0, so groups align.
		step := 1 << sx
		if x0%step != 0 {
			step = 1
		}
		x := 0
		for cx := 0; x < len(yrow); cx++ {
			if step == 1 {
				cx = (x0+x)>>sx - x0>>sx
			}
			// color.YCbCrToRGB, bit for bit, written out: the call was a
			// third of the decode time.
			cb1, cr1 := int32(cb[cx])-128, int32(cr[cx])-128
			rt, gt, bt := 91881*cr1, -22554*cb1-46802*cr1, 116130*cb1
			for end := min(x+step, len(yrow)); x < end; x++ {
				y1 := int32(yrow[x]) * 0x10101
				o := out[3*x : 3*x+3 : 3*x+3]
				o[0], o[1], o[2] = clamp16(y1+rt), clamp16(y1+gt), clamp16(y1+bt)
			}
		}
	}
}

// clamp16 returns v>>16 clamped to [0, 255].
func clamp16(v int32) uint8 {
	if uint32(v)&0xff000000 == 0 {
		return uint8(v >> 16)
	}
	return uint8(^(v >> 31))
}
