package data_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gocnn/gocnn/data"
	"github.com/gocnn/gocnn/data/embedded"
)

func fashion(t testing.TB, split string) *data.Memory {
	t.Helper()
	m, err := embedded.FashionMNIST(split)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// firstN keeps the first n examples of m.
func firstN(m *data.Memory, n int) *data.Memory {
	c := *m
	sz := m.H * m.W * m.C
	c.Pix, c.Labels = m.Pix[:n*sz], m.Labels[:n]
	if m.Masks != nil {
		c.Masks = m.Masks[:n*m.H*m.W]
	}
	return &c
}

// drain returns every example of one epoch, in dataset order, as uint8
// images (N, H, W, C), labels, masks.
func drain(t testing.TB, ds data.Dataset, cfg data.LoaderConfig) (img []uint8, labels []int32, masks []int32, l *data.Loader) {
	t.Helper()
	cfg.BatchSize, cfg.Uint8 = 16, true
	l, err := data.NewLoader(ds, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ep := l.Epoch(0)
	defer ep.Close()
	for {
		b, err := ep.Next()
		if err == io.EOF {
			return img, labels, masks, l
		}
		if err != nil {
			t.Fatal(err)
		}
		img = append(img, b.Images.Data().([]uint8)...)
		labels = append(labels, b.Labels...)
		if b.Masks != nil {
			masks = append(masks, b.Masks.Data().([]int32)...)
		}
		b.Release()
	}
}

// Real files end to end: the embedded sample written as a PNG image-folder
// tree reads back exactly, with the class order kept.
func TestImageFolderPNG(t *testing.T) {
	root := t.TempDir()
	train, val := firstN(fashion(t, "train"), 300), firstN(fashion(t, "val"), 100)
	for split, m := range map[string]*data.Memory{"train": train, "val": val} {
		if err := data.Export(m, filepath.Join(root, split), data.PNG, 0); err != nil {
			t.Fatal(err)
		}
	}
	tr, va, err := data.ImageFolderSplits(root, data.FolderOptions{Channels: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(tr.ClassNames, data.FolderNames(data.FashionMNISTClasses)) || !slices.Equal(va.ClassNames, tr.ClassNames) {
		t.Fatalf("classes %v / %v", tr.ClassNames, va.ClassNames)
	}
	for _, c := range []struct {
		f *data.ImageFolder
		m *data.Memory
	}{{tr, train}, {va, val}} {
		img, labels, _, _ := drain(t, c.f, data.LoaderConfig{})
		// The folder lists files by class, then by name (the original index).
		var wantImg []uint8
		var wantLab []int32
		for cls := range int32(10) {
			for i, l := range c.m.Labels {
				if l == cls {
					wantImg = append(wantImg, c.m.Pix[i*784:(i+1)*784]...)
					wantLab = append(wantLab, l)
				}
			}
		}
		if !slices.Equal(labels, wantLab) || !bytes.Equal(img, wantImg) {
			t.Fatalf("%s: folder contents differ from the exported dataset", c.f.Dir)
		}
	}
}

func TestImageFolderJPEGRGB(t *testing.T) {
	root := t.TempDir()
	m := firstN(fashion(t, "val"), 40)
	if err := data.Export(m, root, data.JPEG, 0); err != nil {
		t.Fatal(err)
	}
	f, err := data.NewImageFolder(root, data.FolderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	img, _, _, _ := drain(t, f, data.LoaderConfig{})
	if len(img) != 40*784*3 {
		t.Fatalf("%d values", len(img))
	}
	// Gray JPEGs become three equal channels, close to the originals.
	var sum float64
	for i := range 40 * 784 {
		if img[3*i] != img[3*i+1] || img[3*i] != img[3*i+2] {
			t.Fatalf("pixel %d is not grey", i)
		}
		sum += float64(img[3*i])
	}
	var want float64
	for _, v := range m.Pix {
		want += float64(v)
	}
	if d := (sum - want) / float64(40*784); d > 1 || d < -1 {
		t.Fatalf("JPEG round trip moved the mean by %v", d)
	}
}

func TestImageFolderBadInput(t *testing.T) {
	root := t.TempDir()
	m := firstN(fashion(t, "train"), 30)
	if err := data.Export(m, filepath.Join(root, "train"), data.PNG, 0); err != nil {
		t.Fatal(err)
	}
	if _, _, err := data.ImageFolderSplits(root, data.FolderOptions{}); err == nil || !strings.Contains(err.Error(), filepath.Join(root, "val")) {
		t.Fatalf("missing val: err %v", err)
	}
	tr := filepath.Join(root, "train")
	empty := filepath.Join(tr, "99_empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := data.NewImageFolder(tr, data.FolderOptions{}); err == nil || !strings.Contains(err.Error(), empty) {
		t.Fatalf("empty class folder: err %v", err)
	}
	f, err := data.NewImageFolder(tr, data.FolderOptions{SkipBad: true})
	if err != nil || !slices.Equal(f.Empty, []string{empty}) {
		t.Fatalf("empty class folder with SkipBad: %v, %v", err, f)
	}
	// A truncated file, a text file and a directory posing as images.
	files, _ := filepath.Glob(filepath.Join(tr, "*", "*.png"))
	b, _ := os.ReadFile(files[0])
	bad := []string{filepath.Join(tr, "0_T-shirt_top", "trunc.png"), filepath.Join(tr, "1_Trouser", "text.jpg"), filepath.Join(tr, "2_Pullover", "dir.png")}
	os.WriteFile(bad[0], b[:len(b)/2], 0o644)
	os.WriteFile(bad[1], []byte("not an image"), 0o644)
	os.Mkdir(bad[2], 0o755)
	f, err = data.NewImageFolder(tr, data.FolderOptions{SkipBad: true})
	if err != nil {
		t.Fatal(err)
	}
	img, _, _, l := drain(t, f, data.LoaderConfig{SkipBad: true})
	if l.Skipped() != 2 || len(img) != 30*784*3 {
		t.Fatalf("skipped %d, loaded %d images; want 2 and 30", l.Skipped(), len(img)/784/3)
	}
	// Bad names each dropped file once, in index order.
	badFiles(t, l.Bad(), func(i int) string { return f.Files[i] }, "trunc.png", "text.jpg")
	l, err = data.NewLoader(f, data.LoaderConfig{BatchSize: 64})
	if err != nil {
		t.Fatal(err)
	}
	ep := l.Epoch(0)
	defer ep.Close()
	if _, err := ep.Next(); err == nil || !strings.Contains(err.Error(), bad[0]) && !strings.Contains(err.Error(), bad[1]) {
		t.Fatalf("err %v, want one naming a bad file", err)
	}
}
