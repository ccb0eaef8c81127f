package data

import (
	"bytes"
	"compress/gzip"
	"image"
	"image/jpeg"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// Seed corpora: the testdata JPEGs, PNGs of every colour type, and a few
// truncations. As ordinary tests these run the seeds only; run the fuzzers
// with go test -fuzz=FuzzDecodeImage ./data/ and so on.
// fuzzPixels is the pixel limit under fuzzing (see decodeImage).
const fuzzPixels = 1 << 18

func imageSeeds(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.jpeg")
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(b[:len(b)/3])
	}
	for _, m := range pngKinds(rand.New(rand.NewPCG(1, 1))) {
		b := encodePNG(f, m)
		f.Add(b)
		f.Add(b[:len(b)-9])
	}
	var buf bytes.Buffer
	jpeg.Encode(&buf, image.NewRGBA(image.Rect(0, 0, 9, 7)), nil)
	f.Add(buf.Bytes())
	f.Add(hugePNG(f, 1<<10, 1<<10))
}

func FuzzDecodeImage(f *testing.F) {
	imageSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, c := range []int{1, 3} {
			var m Image
			if err := decodeImage(&m, b, c, fuzzPixels); err == nil && len(m.Pix) != m.H*m.W*c {
				t.Fatalf("decoded %dx%dx%d into %d values", m.H, m.W, c, len(m.Pix))
			}
		}
	})
}

func FuzzDecodeMask(f *testing.F) {
	imageSeeds(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		var m Image
		if err := decodeMask(&m, b, fuzzPixels); err == nil && len(m.Pix) != m.H*m.W {
			t.Fatalf("decoded %dx%d into %d values", m.H, m.W, len(m.Pix))
		}
	})
}

func FuzzReadIDX(f *testing.F) {
	var raw, gz bytes.Buffer
	WriteIDX(&raw, []int{3, 2, 2}, make([]byte, 12))
	zw := gzip.NewWriter(&gz)
	WriteIDX(zw, []int{5}, []byte{1, 2, 3, 4, 5})
	zw.Close()
	f.Add(raw.Bytes())
	f.Add(gz.Bytes())
	f.Add(raw.Bytes()[:10])
	f.Add([]byte{0, 0, 8, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 2})
	f.Fuzz(func(t *testing.T, b []byte) {
		dims, d, err := ReadIDX(bytes.NewReader(b))
		if err != nil {
			return
		}
		n := 1
		for _, x := range dims {
			n *= x
		}
		if n != len(d) {
			t.Fatalf("dims %v but %d bytes", dims, len(d))
		}
	})
}

func FuzzDecodeCIFAR(f *testing.F) {
	rec := make([]byte, 2+cifarPixels)
	f.Add(rec, uint8(2))
	f.Add(rec[1:], uint8(1))
	f.Add(rec[:100], uint8(1))
	f.Fuzz(func(t *testing.T, b []byte, labelBytes uint8) {
		lb := 1 + int(labelBytes%2)
		m := &Memory{H: 32, W: 32, C: 3, ClassNames: CIFAR10Classes}
		if err := decodeCIFAR(m, b, lb); err == nil {
			if len(m.Pix) != len(m.Labels)*cifarPixels || len(m.Labels)*(lb+cifarPixels) != len(b) {
				t.Fatalf("%d bytes gave %d labels and %d pixels", len(b), len(m.Labels), len(m.Pix))
			}
			if err := checkLabels(m.Labels, 10); err != nil {
				t.Fatal(err)
			}
		}
	})
}
