package data_test

import (
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gocnn/gocnn/data"
	"github.com/gocnn/gocnn/data/embedded"
)

func fashionSeg(t testing.TB, split string, n int) *data.Memory {
	t.Helper()
	m, err := embedded.FashionMNISTSeg(split)
	if err != nil {
		t.Fatal(err)
	}
	return firstN(m, n)
}

// vocTree writes m as a Pascal VOC tree under root, split "train".
func vocTree(t testing.TB, root string, m *data.Memory) {
	t.Helper()
	tmp := t.TempDir()
	if err := data.Export(m, tmp, data.JPEG, 0); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"JPEGImages", "SegmentationClass", "ImageSets/Segmentation"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	var ids []string
	for i := range m.Len() {
		id := fmt.Sprintf("2007_%06d", i)
		ids = append(ids, id)
		for _, mv := range [][2]string{
			{filepath.Join(tmp, "images", fmt.Sprintf("%05d.jpg", i)), filepath.Join(root, "JPEGImages", id+".jpg")},
			{filepath.Join(tmp, "masks", fmt.Sprintf("%05d.png", i)), filepath.Join(root, "SegmentationClass", id+".png")},
		} {
			if err := os.Rename(mv[0], mv[1]); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := os.WriteFile(filepath.Join(root, "ImageSets/Segmentation/train.txt"), []byte(strings.Join(ids, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func wantMasks(m *data.Memory) []int32 {
	out := make([]int32, len(m.Masks))
	for i, v := range m.Masks {
		out[i] = int32(v)
	}
	return out
}

func TestVOC(t *testing.T) {
	root := t.TempDir()
	m := fashionSeg(t, "val", 50)
	m.ClassNames = data.VOCClasses // 11 classes fit in VOC's 21
	vocTree(t, root, m)
	s, err := data.NewVOC(root, "train")
	if err != nil {
		t.Fatal(err)
	}
	_, _, masks, _ := drain(t, s, data.LoaderConfig{})
	if !slices.Equal(masks, wantMasks(m)) {
		t.Fatal("VOC masks differ from the exported ones")
	}
	if _, err := data.NewVOC(root, "val"); err == nil || !strings.Contains(err.Error(), "val.txt") {
		t.Fatalf("missing split list: err %v", err)
	}
	// A mask of the wrong size, and one with a value that is no class.
	small := image.NewPaletted(image.Rect(0, 0, 27, 28), data.VOCPalette())
	writePNG(t, filepath.Join(root, "SegmentationClass", "2007_000003.png"), small)
	wrong := image.NewPaletted(image.Rect(0, 0, 28, 28), data.VOCPalette())
	wrong.Pix[5] = 30
	writePNG(t, filepath.Join(root, "SegmentationClass", "2007_000007.png"), wrong)
	l, err := data.NewLoader(s, data.LoaderConfig{BatchSize: 50})
	if err != nil {
		t.Fatal(err)
	}
	ep := l.Epoch(0)
	_, err = ep.Next()
	if err == nil || !(strings.Contains(err.Error(), "2007_000003.png is 27x28 but image") || strings.Contains(err.Error(), "value 30")) {
		t.Fatalf("err %v, want a bad mask named", err)
	}
	ep.Close()
	_, _, masks, l = drain(t, s, data.LoaderConfig{SkipBad: true})
	if l.Skipped() != 2 || len(masks) != 48*784 {
		t.Fatalf("skipped %d, kept %d; want 2 and 48", l.Skipped(), len(masks)/784)
	}
}

func writePNG(t testing.TB, path string, m image.Image) {
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, m); err != nil {
		t.Fatal(err)
	}
}

func TestSegFolder(t *testing.T) {
	root := t.TempDir()
	m := fashionSeg(t, "train", 40)
	dir := filepath.Join(root, "train")
	if err := data.Export(m, dir, data.PNG, 0); err != nil {
		t.Fatal(err)
	}
	s, err := data.NewSegFolder(dir, nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.ClassNames, embedded.SegClasses) {
		t.Fatalf("classes %v", s.ClassNames)
	}
	img, _, masks, _ := drain(t, s, data.LoaderConfig{})
	if !slices.Equal(masks, wantMasks(m)) || !slices.Equal(img, m.Pix) {
		t.Fatal("segmentation folder differs from the exported dataset")
	}
	// Augmented: the mask must still label garment pixels, which are the
	// bright ones, and padding must be Ignore.
	cfg := data.LoaderConfig{Transforms: []data.Transform{data.RandomResizedCrop{Size: 24}, data.HorizontalFlip{}, data.RandomCrop{Size: 24, Pad: 3}}}
	img, _, masks, _ = drain(t, s, cfg)
	agree := 0
	for i, c := range masks {
		if c == data.Ignore {
			if img[i] != 0 {
				t.Fatalf("padding pixel %d has value %d", i, img[i])
			}
			continue
		}
		if (c > 0) == (img[i] >= embedded.SegThreshold) {
			agree++
		}
	}
	if frac := float64(agree) / float64(len(masks)); frac < 0.85 {
		t.Fatalf("mask and image agree on %.2f of pixels", frac)
	}
	os.Remove(filepath.Join(dir, "masks", "00007.png"))
	if _, err := data.NewSegFolder(dir, nil, 1); err == nil || !strings.Contains(err.Error(), "00007") {
		t.Fatalf("missing mask: err %v", err)
	}
}
