package data_test

import (
	"image"
	"image/color"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gocnn/gocnn/data"
)

// badFiles checks that bad lists exactly the examples of ds whose files
// are named in want, in index order, each error naming its file.
func badFiles(t *testing.T, bad []data.BadExample, files func(i int) string, want ...string) {
	t.Helper()
	if len(bad) != len(want) {
		t.Fatalf("%d bad examples %v, want %d: %v", len(bad), bad, len(want), want)
	}
	for k, b := range bad {
		if f := files(b.Index); !strings.Contains(f, want[k]) || !strings.Contains(b.Err.Error(), f) {
			t.Errorf("bad example %d: index %d (%s), error %q; want %s named", k, b.Index, f, b.Err, want[k])
		}
		if k > 0 && b.Index <= bad[k-1].Index {
			t.Errorf("bad examples not in index order: %v", bad)
		}
	}
}

// TestCheckAllImageFolder checks that every unreadable file of a folder
// is found at once, by its header, and that sound files pass.
func TestCheckAllImageFolder(t *testing.T) {
	root := t.TempDir()
	if err := data.Export(firstN(fashion(t, "train"), 30), root, data.PNG, 0); err != nil {
		t.Fatal(err)
	}
	f, err := data.NewImageFolder(root, data.FolderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if bad := data.CheckAll(f, 2); len(bad) != 0 {
		t.Fatalf("sound folder: %v", bad)
	}
	b, _ := os.ReadFile(f.Files[0])
	for name, content := range map[string][]byte{
		"0_T-shirt_top/a-text.jpg":  []byte("not an image"),
		"1_Trouser/b-empty.png":     nil,
		"2_Pullover/c-header.png":   b[:20],
		"3_Dress/d-jpeg-header.jpg": {0xff, 0xd8, 0xff},
	} {
		if err := os.WriteFile(filepath.Join(root, name), content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Join(root, "gone.png"), filepath.Join(root, "4_Coat", "e-dangling.png")); err != nil {
		t.Fatal(err)
	}
	// A file cut after its header passes: only loading finds it.
	if err := os.WriteFile(filepath.Join(root, "5_Sandal", "f-cut.png"), b[:len(b)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	f, err = data.NewImageFolder(root, data.FolderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	badFiles(t, data.CheckAll(f, 3), func(i int) string { return f.Files[i] },
		"a-text.jpg", "b-empty.png", "c-header.png", "d-jpeg-header.jpg", "e-dangling.png")
}

// TestCheckAllSegmentation checks masks by their headers: missing, a JPEG,
// an RGB PNG, the wrong size.
func TestCheckAllSegmentation(t *testing.T) {
	root := t.TempDir()
	m := fashionSeg(t, "val", 20)
	m.ClassNames = data.VOCClasses
	vocTree(t, root, m)
	s, err := data.NewVOC(root, "train")
	if err != nil {
		t.Fatal(err)
	}
	if bad := data.CheckAll(s, 0); len(bad) != 0 {
		t.Fatalf("sound VOC tree: %v", bad)
	}
	masks := filepath.Join(root, "SegmentationClass")
	os.Remove(filepath.Join(masks, "2007_000002.png"))
	jpg, _ := os.ReadFile(filepath.Join(root, "JPEGImages", "2007_000004.jpg"))
	os.WriteFile(filepath.Join(masks, "2007_000004.png"), jpg, 0o644)
	rgb := image.NewRGBA(image.Rect(0, 0, 28, 28))
	rgb.Set(0, 0, color.RGBA{1, 2, 3, 255})
	writePNG(t, filepath.Join(masks, "2007_000009.png"), rgb)
	writePNG(t, filepath.Join(masks, "2007_000011.png"), image.NewPaletted(image.Rect(0, 0, 28, 27), data.VOCPalette()))
	bad := data.CheckAll(s, 2)
	badFiles(t, bad, func(i int) string { return s.MaskFiles[i] },
		"2007_000002.png", "2007_000004.png", "2007_000009.png", "2007_000011.png")
	for k, want := range []string{"no such file", "grayscale PNG", "grayscale PNG", "28x27 but image"} {
		if k < len(bad) && !strings.Contains(bad[k].Err.Error(), want) {
			t.Errorf("%v: want %q", bad[k].Err, want)
		}
	}
}
