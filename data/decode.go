package data

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
)

// MaxPixels bounds the width times height an image header may announce
// (64 Mpixel, well above ImageNet's largest). A few bytes of crafted
// header can otherwise make a decoder allocate gigabytes before it finds
// the data missing.
const MaxPixels = 1 << 26

var (
	jpegMagic = []byte{0xff, 0xd8}
	pngMagic  = []byte("\x89PNG\r\n\x1a\n")
)

// DecodeImage decodes a JPEG or PNG file's bytes into dst with c channels
// (1: luma, 3: RGB), reusing dst.Pix's capacity. JPEGs go through
// JPEGDecoder. Grayscale, YCbCr, CMYK,
// RGB(A), 16-bit and palette images are converted; alpha is dropped, as
// PIL's convert("RGB") does. Other formats and corrupt or truncated data
// are errors. It panics when c is neither 1 nor 3.
func DecodeImage(dst *Image, b []byte, c int) error {
	return decodeImage(dst, b, c, MaxPixels)
}

// decodeImage is DecodeImage with a pixel limit, which the fuzzers lower:
// mutated headers announcing tens of megapixels would make each run take
// seconds and explore nothing new.
func decodeImage(dst *Image, b []byte, c, limit int) error {
	_, err := decodeShrunk(dst, b, c, limit, 1)
	return err
}

// decodeShrunk is decodeImage decoding a JPEG at 1/shrink of its size
// (shrink 1, 2, 4 or 8), ceil(w/shrink) x ceil(h/shrink) pixels: in the
// DCT domain with libjpeg-turbo, else by averaging the full decode over
// shrink x shrink blocks (see reduce). It returns the factor it shrank
// by: shrink for a JPEG, 1 for a PNG, which it decodes at full size.
func decodeShrunk(dst *Image, b []byte, c, limit, shrink int) (int, error) {
	if c != 1 && c != 3 {
		panic(fmt.Sprintf("data: DecodeImage wants 1 or 3 channels, got %d", c))
	}
	if !bytes.HasPrefix(b, jpegMagic) {
		shrink = 1
	} else if handled, err := decodeTurbo(dst, b, c, limit, shrink); handled {
		return shrink, err
	}
	m, err := decode(b, limit)
	if err != nil {
		return shrink, err
	}
	toImage(dst, m, c)
	reduce(dst, shrink)
	return shrink, nil
}

// DecodeMask decodes a segmentation mask: an 8-bit palette PNG whose
// palette index is the class (Pascal VOC), or an 8-bit grayscale PNG whose
// value is the class. JPEG masks are refused: lossy compression invents
// classes along every edge.
func DecodeMask(dst *Image, b []byte) error { return decodeMask(dst, b, MaxPixels) }

func decodeMask(dst *Image, b []byte, limit int) error {
	if bytes.HasPrefix(b, jpegMagic) {
		return errors.New("mask is a JPEG; masks must be palette or 8-bit grayscale PNGs (lossy compression corrupts class values)")
	}
	m, err := decode(b, limit)
	if err != nil {
		return err
	}
	var pix []uint8
	var stride int
	switch m := m.(type) {
	case *image.Paletted:
		pix, stride = m.Pix, m.Stride
	case *image.Gray:
		pix, stride = m.Pix, m.Stride
	default:
		return fmt.Errorf("mask must be a palette or 8-bit grayscale PNG, got %s", modelName(m))
	}
	r := m.Bounds()
	dst.reshape(r.Dy(), r.Dx(), 1)
	for y := range dst.H {
		copy(dst.Pix[y*dst.W:(y+1)*dst.W], pix[y*stride:])
	}
	return nil
}

// decode sniffs the format itself rather than going through image.Decode,
// whose registry would accept whatever formats other packages register.
func decode(b []byte, limit int) (image.Image, error) {
	if _, _, err := imageSize(b, limit); err != nil {
		return nil, err
	}
	if bytes.HasPrefix(b, jpegMagic) {
		return jpeg.Decode(bytes.NewReader(b))
	}
	return png.Decode(bytes.NewReader(b))
}

// imageSize reads a JPEG or PNG header's width and height, and checks
// that they are positive and within limit pixels.
func imageSize(b []byte, limit int) (w, h int, err error) {
	var cfg image.Config
	switch {
	case bytes.HasPrefix(b, jpegMagic):
		cfg, err = jpeg.DecodeConfig(bytes.NewReader(b))
	case bytes.HasPrefix(b, pngMagic):
		cfg, err = png.DecodeConfig(bytes.NewReader(b))
	default:
		return 0, 0, errors.New("not a JPEG or PNG file")
	}
	if err != nil {
		return 0, 0, err
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > limit/cfg.Height {
		return 0, 0, fmt.Errorf("image size %dx%d is empty or over %d pixels", cfg.Width, cfg.Height, limit)
	}
	return cfg.Width, cfg.Height, nil
}

func modelName(m image.Image) string {
	switch m.(type) {
	case *image.RGBA, *image.NRGBA:
		return "an RGB(A) image"
	case *image.RGBA64, *image.NRGBA64, *image.Gray16:
		return "a 16-bit image"
	}
	return fmt.Sprintf("%T", m)
}
