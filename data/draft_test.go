package data

import (
	"bytes"
	"fmt"
	"image/jpeg"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// draftJPEGs returns the testdata JPEGs and two synthetic 500x375 photos
// at quality 90, by name.
func draftJPEGs(t *testing.T) map[string][]byte {
	t.Helper()
	files, _ := filepath.Glob("testdata/*.jpeg")
	out := map[string][]byte{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[f] = b
	}
	r := rand.New(rand.NewPCG(3, 4))
	for _, name := range []string{"synthetic-a", "synthetic-b"} {
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, SyntheticPhoto(500, 375, r), &jpeg.Options{Quality: 90}); err != nil {
			t.Fatal(err)
		}
		out[name] = buf.Bytes()
	}
	return out
}

// blockMeans is reduce's reference: the full image averaged over s x s
// blocks, in floating point.
func blockMeans(m *Image, s int) []uint8 {
	h, w := (m.H+s-1)/s, (m.W+s-1)/s
	out := make([]uint8, 0, h*w*m.C)
	for y := range h {
		for x := range w {
			for c := range m.C {
				var sum, n float64
				for yy := y * s; yy < min(m.H, y*s+s); yy++ {
					for xx := x * s; xx < min(m.W, x*s+s); xx++ {
						sum += float64(m.Pix[(yy*m.W+xx)*m.C+c])
						n++
					}
				}
				out = append(out, uint8(sum/n+0.5))
			}
		}
	}
	return out
}

// Tolerances of libjpeg-turbo's DCT-domain scaling against the full
// decode averaged over blocks, per 8-bit value: photo-like JPEGs (4:2:0
// and 4:4:4 chroma, as ImageNet's, and greyscale) differ by 1.5 on
// average and 48 at most (measured: 1.32 and 45 at worst); 4:2:2, 4:4:0
// and 4:1:1 chroma, which the scaled decode upsamples more coarsely, by 8
// and 72 (measured: 7.12 and 68, 4:1:1 at 1/8). image/jpeg has no
// DCT-domain scaling and decodes exactly the block averages.
//
// A Loader's uint8 batches with draft decoding differ from those of full
// decodes by up to draftLoaderMean on average per batch and
// draftLoaderWorst at most (measured on TestLoaderDraft's photos: 1.38
// and 18 with image/jpeg, 1.72 and 19 with libjpeg-turbo).
const (
	draftLoaderMean, draftLoaderWorst = 2.5, 32
	draftMean, draftWorst             = 1.5, 48
	draftMeanCoarse, draftWorstCoarse = 8, 72
)

// TestDecodeShrunk decodes JPEGs at 1/2, 1/4 and 1/8 and compares them
// with the full decode averaged over blocks: equal with image/jpeg (which
// decodes that way), and within the tolerances above with
// libjpeg-turbo's DCT-domain scaling.
func TestDecodeShrunk(t *testing.T) {
	for name, b := range draftJPEGs(t) {
		for _, c := range []int{1, 3} {
			var full Image
			if err := DecodeImage(&full, b, c); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			for _, s := range []int{2, 4, 8} {
				var m Image
				if got, err := decodeShrunk(&m, b, c, MaxPixels, s); err != nil || got != s {
					t.Fatalf("%s at 1/%d: shrank by %d, %v", name, s, got, err)
				}
				if m.W != (full.W+s-1)/s || m.H != (full.H+s-1)/s || m.C != c {
					t.Fatalf("%s at 1/%d: %dx%dx%d from %dx%d", name, s, m.W, m.H, m.C, full.W, full.H)
				}
				want := blockMeans(&full, s)
				switch {
				case JPEGDecoder == "image/jpeg":
					comparePix(t, name, m.Pix, want, 0)
				case strings.Contains(name, ".422.") || strings.Contains(name, ".440.") || strings.Contains(name, ".411."):
					compareWithin(t, fmt.Sprintf("%s %d channels at 1/%d", name, c, s), m.Pix, want, draftMeanCoarse, draftWorstCoarse)
				default:
					compareWithin(t, fmt.Sprintf("%s %d channels at 1/%d", name, c, s), m.Pix, want, draftMean, draftWorst)
				}
			}
		}
	}
}

func TestDraftShrink(t *testing.T) {
	for _, c := range []struct {
		boxW, boxH float64
		out, want  int
	}{
		{500, 375, 224, 1},
		{448, 448, 224, 2},
		{447.9, 448, 224, 1},
		{896, 450, 224, 2},
		{896, 896, 224, 4},
		{1792, 1800, 224, 8},
		{4000, 4000, 224, 8},
		{400, 300, 112, 2},
	} {
		v := View{BoxW: c.boxW, BoxH: c.boxH, OutW: c.out, OutH: c.out}
		if got := draftShrink(&v); got != c.want {
			t.Errorf("box %gx%g to %d: shrink %d, want %d", c.boxW, c.boxH, c.out, got, c.want)
		}
	}
}

// draftFolder writes an ImageFolder of synthetic photos: JPEGs of
// 500x375 (ImageNet's usual size) and 1200x900 (a large photo), and a
// PNG, which is never shrunk.
func draftFolder(t *testing.T) *ImageFolder {
	t.Helper()
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(5, 6))
	for i, size := range [][2]int{{500, 375}, {1200, 900}, {375, 500}, {500, 375}, {1200, 900}, {640, 480}} {
		cdir := filepath.Join(dir, fmt.Sprintf("c%d", i%2))
		if err := os.MkdirAll(cdir, 0o755); err != nil {
			t.Fatal(err)
		}
		m := SyntheticPhoto(size[0], size[1], r)
		var buf bytes.Buffer
		name := fmt.Sprintf("%d.jpg", i)
		if i == 5 {
			buf.Write(encodePNG(t, m))
			name = fmt.Sprintf("%d.png", i)
		} else if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: 90}); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(cdir, name), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f, err := NewImageFolder(dir, FolderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestLoaderDraft checks the draft decode against the full one on the
// same folder: every example's view is the full decode's, mapped into
// the shrunk image (the crops and flips drawn are the same), and the
// batches hold the same examples with pixels within the tolerance below.
func TestLoaderDraft(t *testing.T) {
	f := draftFolder(t)
	// Output sizes small enough for every shrink to happen.
	for _, size := range []int{224, 56} {
		cfg := LoaderConfig{BatchSize: 3, Uint8: true, Workers: 2, Seed: 7,
			Transforms: []Transform{RandomResizedCrop{Size: size}, HorizontalFlip{}}}
		full, err := NewLoader(f, LoaderConfig{BatchSize: cfg.BatchSize, Uint8: true, Workers: 2, Seed: 7,
			Transforms: cfg.Transforms, FullDecode: true})
		if err != nil {
			t.Fatal(err)
		}
		draft, err := NewLoader(f, cfg)
		if err != nil {
			t.Fatal(err)
		}
		shrinks := map[int]int{}
		epochs := 4
		if testing.Short() {
			epochs = 2
		}
		for epoch := range epochs {
			for i := range f.Len() {
				vf, err := full.load(full.workers[0], epoch, i)
				if err != nil {
					t.Fatal(err)
				}
				vd, err := draft.load(draft.workers[0], epoch, i)
				if err != nil {
					t.Fatal(err)
				}
				s := draftShrink(&vf)
				if strings.HasSuffix(f.Files[i], ".png") {
					s = 1
				}
				shrinks[s]++
				want := vf
				want.shrink(s)
				if fmt.Sprint(vd) != fmt.Sprint(want) {
					t.Fatalf("size %d, epoch %d, %s: view %+v, want the full decode's %+v shrunk by %d", size, epoch, f.Files[i], vd, vf, s)
				}
				if img := draft.workers[0].ex.Image; img.W != (full.workers[0].ex.Image.W+s-1)/s {
					t.Fatalf("%s: decoded %d wide, want %d shrunk by %d", f.Files[i], img.W, full.workers[0].ex.Image.W, s)
				}
			}
			compareEpochs(t, fmt.Sprintf("size %d, epoch %d", size, epoch), full, draft, epoch)
		}
		t.Logf("size %d: shrinks %v", size, shrinks)
		if size == 56 && (shrinks[2] == 0 || shrinks[4] == 0 || shrinks[1] == 0) {
			t.Fatalf("size %d: shrinks %v; want some of 1, 2 and 4", size, shrinks)
		}
	}
}

// compareEpochs checks that two loaders give the same examples in epoch,
// with pixels within draftLoaderMean on average and draftLoaderWorst at
// most.
func compareEpochs(t *testing.T, name string, a, b *Loader, epoch int) {
	t.Helper()
	ea, eb := a.Epoch(epoch), b.Epoch(epoch)
	defer ea.Close()
	defer eb.Close()
	for {
		ba, errA := ea.Next()
		bb, errB := eb.Next()
		if errA != nil || errB != nil {
			if errA != io.EOF || errB != io.EOF {
				t.Fatalf("%s: %v, %v", name, errA, errB)
			}
			return
		}
		if fmt.Sprint(ba.Index, ba.Labels) != fmt.Sprint(bb.Index, bb.Labels) {
			t.Fatalf("%s: examples %v labels %v, want %v %v", name, bb.Index, bb.Labels, ba.Index, ba.Labels)
		}
		compareWithin(t, name, bb.Images.Data().([]uint8), ba.Images.Data().([]uint8), draftLoaderMean, draftLoaderWorst)
		ba.Release()
		bb.Release()
	}
}
