package data

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// wantPixels converts m through the standard library's colour models, an
// independent path from toImage's direct loops.
func wantPixels(m image.Image, c int) []uint8 {
	r := m.Bounds()
	var out []uint8
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			n := color.NRGBAModel.Convert(m.At(x, y)).(color.NRGBA)
			if c == 1 {
				out = append(out, color.GrayModel.Convert(color.NRGBA{n.R, n.G, n.B, 255}).(color.Gray).Y)
			} else {
				out = append(out, n.R, n.G, n.B)
			}
		}
	}
	return out
}

func comparePix(t *testing.T, name string, got, want []uint8, tol int) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", name, len(got), len(want))
	}
	for i := range got {
		if d := int(got[i]) - int(want[i]); d > tol || d < -tol {
			t.Fatalf("%s: value %d is %d, want %d (tolerance %d)", name, i, got[i], want[i], tol)
		}
	}
}

func TestDecodeJPEGTestdata(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.jpeg")
	if len(files) < 8 {
		t.Fatalf("found %d testdata JPEGs", len(files))
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		ref, err := decode(b, MaxPixels)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, c := range []int{1, 3} {
			var m Image
			if err := DecodeImage(&m, b, c); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			want := wantPixels(ref, c)
			if ycc, ok := ref.(*image.YCbCr); ok && c == 1 {
				want = want[:0]
				r := ycc.Bounds()
				for y := r.Min.Y; y < r.Max.Y; y++ {
					for x := r.Min.X; x < r.Max.X; x++ {
						want = append(want, ycc.Y[ycc.YOffset(x, y)])
					}
				}
			}
			if JPEGDecoder == "image/jpeg" {
				comparePix(t, f, m.Pix, want, 0)
			} else {
				compareMean(t, f, m.Pix, want)
			}
		}
	}
}

// compareMean checks another decoder's output against image/jpeg's: IDCT
// rounding and libjpeg's smooth chroma upsampling move values a little,
// mostly along colour edges.
func compareMean(t *testing.T, name string, got, want []uint8) {
	t.Helper()
	compareWithin(t, name, got, want, 2, 64)
}

// compareWithin fails unless got and want differ by at most mean on
// average and worst anywhere.
func compareWithin(t *testing.T, name string, got, want []uint8, mean float64, worst int) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d values, want %d", name, len(got), len(want))
	}
	var sum, largest int
	for i := range got {
		d := max(int(got[i])-int(want[i]), int(want[i])-int(got[i]))
		sum += d
		largest = max(largest, d)
	}
	if m := float64(sum) / float64(len(got)); m > mean || largest > worst {
		t.Fatalf("%s: mean difference %.2f, largest %d (tolerance %.2f, %d)", name, m, largest, mean, worst)
	}
	t.Logf("%s: mean difference %.2f, largest %d", name, float64(sum)/float64(len(got)), largest)
}

func encodePNG(t testing.TB, m image.Image) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// pngKinds returns one small image of each PNG colour type the decoder
// may produce, with random pixels.
func pngKinds(r *rand.Rand) map[string]image.Image {
	rect := image.Rect(0, 0, 7, 5)
	gray, g16 := image.NewGray(rect), image.NewGray16(rect)
	nrgba, rgba64 := image.NewNRGBA(rect), image.NewNRGBA64(rect)
	pal := image.NewPaletted(rect, VOCPalette()[:40])
	for i := range gray.Pix {
		gray.Pix[i] = uint8(r.IntN(256))
		pal.Pix[i] = uint8(r.IntN(40))
	}
	for i := range g16.Pix {
		g16.Pix[i] = uint8(r.IntN(256))
	}
	for i := range nrgba.Pix {
		nrgba.Pix[i] = uint8(r.IntN(256))
	}
	for i := range rgba64.Pix {
		rgba64.Pix[i] = uint8(r.IntN(256))
	}
	return map[string]image.Image{"gray": gray, "gray16": g16, "nrgba": nrgba, "nrgba64": rgba64, "palette": pal}
}

func TestDecodePNGKinds(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for name, m := range pngKinds(r) {
		b := encodePNG(t, m)
		for _, c := range []int{1, 3} {
			var got Image
			if err := DecodeImage(&got, b, c); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if got.W != 7 || got.H != 5 || got.C != c {
				t.Fatalf("%s: decoded %dx%dx%d", name, got.W, got.H, got.C)
			}
			comparePix(t, name, got.Pix, wantPixels(m, c), 0)
		}
	}
}

func TestDecodeMask(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	kinds := pngKinds(r)
	for _, name := range []string{"palette", "gray"} {
		var got Image
		if err := DecodeMask(&got, encodePNG(t, kinds[name])); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var want []uint8
		switch m := kinds[name].(type) {
		case *image.Paletted:
			want = m.Pix
		case *image.Gray:
			want = m.Pix
		}
		comparePix(t, name, got.Pix, want, 0)
	}
	for _, name := range []string{"nrgba", "gray16"} {
		var got Image
		err := DecodeMask(&got, encodePNG(t, kinds[name]))
		if err == nil || !strings.Contains(err.Error(), "palette or 8-bit grayscale") {
			t.Errorf("%s mask: err = %v, want a refusal", name, err)
		}
	}
	jpg, _ := os.ReadFile("testdata/video-005.gray.q50.jpeg")
	var got Image
	if err := DecodeMask(&got, jpg); err == nil || !strings.Contains(err.Error(), "JPEG") {
		t.Errorf("JPEG mask: err = %v, want a refusal", err)
	}
}

// hugePNG returns a valid PNG header announcing w x h pixels and no data.
func hugePNG(t testing.TB, w, h uint32) []byte {
	b := encodePNG(t, image.NewGray(image.Rect(0, 0, 1, 1)))
	ihdr := b[12:29] // "IHDR" + 13 bytes of header data
	binary.BigEndian.PutUint32(ihdr[4:], w)
	binary.BigEndian.PutUint32(ihdr[8:], h)
	binary.BigEndian.PutUint32(b[29:], crc32.ChecksumIEEE(ihdr))
	return b
}

func TestDecodeBadInput(t *testing.T) {
	jpg, err := os.ReadFile("testdata/video-001.q50.420.jpeg")
	if err != nil {
		t.Fatal(err)
	}
	p := encodePNG(t, pngKinds(rand.New(rand.NewPCG(5, 6)))["nrgba"])
	var g bytes.Buffer
	if err := gif.Encode(&g, image.NewGray(image.Rect(0, 0, 4, 4)), nil); err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		b    []byte
		want string
	}{
		"empty":          {nil, "not a JPEG or PNG"},
		"gif":            {g.Bytes(), "not a JPEG or PNG"},
		"text":           {[]byte("hello"), "not a JPEG or PNG"},
		"truncated jpeg": {jpg[:len(jpg)/2], ""},
		"jpeg header":    {jpg[:20], ""},
		"truncated png":  {p[:len(p)-20], ""},
		"huge png":       {hugePNG(t, 1<<20, 1<<20), "over"},
	}
	for name, c := range cases {
		var m Image
		err := DecodeImage(&m, c.b, 3)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want an error containing %q", name, err, c.want)
		}
	}
}

// BenchmarkDecode compares image/jpeg alone with DecodeImage (decode plus
// conversion to RGB pixels) on one 4:2:0 JPEG.
func BenchmarkDecode(b *testing.B) {
	raw, err := os.ReadFile("testdata/video-001.q50.420.jpeg")
	if err != nil {
		b.Fatal(err)
	}
	b.Run("image-jpeg", func(b *testing.B) {
		for range b.N {
			if _, err := jpeg.Decode(bytes.NewReader(raw)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("DecodeImage", func(b *testing.B) {
		var m Image
		for range b.N {
			if err := DecodeImage(&m, raw, 3); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// Sub-images start at odd offsets into the chroma planes.
func TestYCbCrSubImage(t *testing.T) {
	for _, f := range []string{"testdata/video-001.q50.420.jpeg", "testdata/video-001.q50.411.jpeg", "testdata/video-001.q50.410.jpeg"} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m, err := jpeg.Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		sub := m.(*image.YCbCr).SubImage(image.Rect(3, 1, 50, 40))
		var got Image
		toImage(&got, sub, 3)
		comparePix(t, f, got.Pix, wantPixels(sub, 3), 0)
	}
}
