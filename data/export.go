package data

import (
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
)

// ExportFormat selects the file format Export writes images in.
type ExportFormat string

// The formats Export writes; masks are always palette PNGs.
const (
	PNG  ExportFormat = "png"
	JPEG ExportFormat = "jpg" // quality 90
)

// Export writes the first limit examples of m (all when limit <= 0) as
// files under dir. A classification dataset becomes an ImageFolder tree,
// dir/<NN_class>/<index>.<format>, whose folder names carry the label
// number so that sorting them keeps the dataset's class order. A
// segmentation dataset becomes dir/images/<index>.<format> and
// dir/masks/<index>.png (palette PNGs with the Pascal VOC colours) plus
// dir/classes.txt, the layout NewSegFolder reads.
func Export(m *Memory, dir string, format ExportFormat, limit int) error {
	if format != PNG && format != JPEG {
		return fmt.Errorf("data: export format %q is not png or jpg", format)
	}
	n := m.Len()
	if limit > 0 {
		n = min(n, limit)
	}
	names := FolderNames(m.ClassNames)
	if m.Masks != nil {
		for _, d := range []string{"images", "masks"} {
			if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
				return fmt.Errorf("data: %w", err)
			}
		}
		if err := os.WriteFile(filepath.Join(dir, "classes.txt"), []byte(strings.Join(m.ClassNames, "\n")+"\n"), 0o644); err != nil {
			return fmt.Errorf("data: %w", err)
		}
	}
	var ex Example
	for i := range n {
		if err := m.Load(i, &ex); err != nil {
			return err
		}
		name := fmt.Sprintf("%05d", i)
		var path string
		if m.Masks != nil {
			path = filepath.Join(dir, "images", name+"."+string(format))
			if err := writeFile(filepath.Join(dir, "masks", name+".png"), maskImage(&ex.Mask), PNG); err != nil {
				return err
			}
		} else {
			cdir := filepath.Join(dir, names[ex.Label])
			if err := os.MkdirAll(cdir, 0o755); err != nil {
				return fmt.Errorf("data: %w", err)
			}
			path = filepath.Join(cdir, name+"."+string(format))
		}
		if err := writeFile(path, stdImage(&ex.Image), format); err != nil {
			return err
		}
	}
	return nil
}

// FolderNames turns class names into folder names that sort in class
// order: the label zero-padded, an underscore, and the name with path
// separators and spaces replaced ("0_T-shirt_top").
func FolderNames(classes []string) []string {
	width := len(fmt.Sprint(max(0, len(classes)-1)))
	r := strings.NewReplacer("/", "_", `\`, "_", " ", "_")
	out := make([]string, len(classes))
	for i, c := range classes {
		out[i] = fmt.Sprintf("%0*d_%s", width, i, r.Replace(c))
	}
	return out
}

func writeFile(path string, m image.Image, format ExportFormat) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("data: %w", err)
	}
	if format == JPEG {
		err = jpeg.Encode(f, m, &jpeg.Options{Quality: 90})
	} else {
		err = png.Encode(f, m)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("data: writing %s: %w", path, err)
	}
	return nil
}

// stdImage wraps 1- or 3-channel pixels as an image.Image for the encoders.
func stdImage(m *Image) image.Image {
	r := image.Rect(0, 0, m.W, m.H)
	if m.C == 1 {
		return &image.Gray{Pix: m.Pix, Stride: m.W, Rect: r}
	}
	out := image.NewNRGBA(r)
	for i := range m.W * m.H {
		copy(out.Pix[4*i:4*i+3], m.Pix[3*i:3*i+3])
		out.Pix[4*i+3] = 255
	}
	return out
}

func maskImage(m *Image) image.Image {
	return &image.Paletted{Pix: m.Pix, Stride: m.W, Rect: image.Rect(0, 0, m.W, m.H), Palette: VOCPalette()}
}

// VOCPalette returns Pascal VOC's 256-colour mask palette: index i's RGB
// bits are i's bits interleaved, most significant first.
func VOCPalette() color.Palette {
	p := make(color.Palette, 256)
	for i := range p {
		var r, g, b uint8
		c := i
		for j := 7; j >= 0; j-- {
			r |= uint8(c&1) << j
			g |= uint8(c>>1&1) << j
			b |= uint8(c>>2&1) << j
			c >>= 3
		}
		p[i] = color.RGBA{r, g, b, 255}
	}
	return p
}
