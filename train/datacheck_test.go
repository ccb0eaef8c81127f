package train

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gocnn/gocnn/data"
	"github.com/gocnn/gocnn/data/embedded"
)

// sampleOf returns the first n examples of each of the first classes
// classes of the embedded sample's split, as a dataset of that many
// classes.
func sampleOf(t *testing.T, split string, classes, n int) *data.Memory {
	t.Helper()
	m, err := embedded.FashionMNIST(split)
	if err != nil {
		t.Fatal(err)
	}
	out := &data.Memory{H: m.H, W: m.W, C: m.C, ClassNames: m.ClassNames[:classes]}
	sz := m.H * m.W * m.C
	taken := make([]int, classes)
	for i, l := range m.Labels {
		if int(l) < classes && taken[l] < n {
			taken[l]++
			out.Pix = append(out.Pix, m.Pix[i*sz:(i+1)*sz]...)
			out.Labels = append(out.Labels, l)
		}
	}
	return out
}

// imageFolder writes n images of each class of each split of the embedded
// sample as an image folder tree (root/{train,val}/<class>/*.png) and returns root.
func imageFolder(t *testing.T, n int) string {
	t.Helper()
	root := t.TempDir()
	for _, split := range []string{"train", "val"} {
		if err := data.Export(sampleOf(t, split, 10, n), filepath.Join(root, split), data.PNG, 0); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// folderConfig is a short run on the image folder at root, at the CIFAR
// networks' size.
func folderConfig(t *testing.T, root string) Config {
	cfg := DefaultConfig()
	cfg.Dataset, cfg.Data = "folder", root
	cfg.TrainCropSize, cfg.ValResizeSize, cfg.ValCropSize = 32, 32, 32
	cfg.Epochs, cfg.Batch, cfg.Workers, cfg.Output = 1, 8, 2, t.TempDir()
	return cfg
}

// TestRunChecksEveryFileFirst checks that unreadable files of both splits
// stop the run before it trains, all named in one line, and that
// -skip-bad trains without them and names them, with the file that only
// failed to load, at the end.
func TestRunChecksEveryFileFirst(t *testing.T) {
	root := imageFolder(t, 6)
	good, err := os.ReadFile(filepath.Join(root, "train", "0_T-shirt_top", "00001.png"))
	if err != nil {
		t.Fatal(err)
	}
	bad := map[string][]byte{
		"train/1_Trouser/a-text.jpg":   []byte("not an image"),
		"train/2_Pullover/b-head.png":  good[:20],
		"val/3_Dress/c-empty.png":      nil,
		"train/4_Coat/d-truncated.png": good[:len(good)/2], // its header is sound
	}
	for name, b := range bad {
		if err := os.WriteFile(filepath.Join(root, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg := folderConfig(t, root)
	err = Run(context.Background(), cfg, io.Discard)
	if err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "3 files cannot be read (2 in train, 1 in val)") {
		t.Fatalf("error %v, want one line counting 3 bad files", err)
	}
	for _, name := range []string{"a-text.jpg", "b-head.png", "c-empty.png", "-skip-bad"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error %v does not name %s", err, name)
		}
	}
	if _, err := os.Stat(filepath.Join(cfg.Output, "metrics.jsonl")); err == nil {
		t.Error("the run trained before it refused the bad files")
	}

	cfg = folderConfig(t, root)
	cfg.SkipBad = true
	var out strings.Builder
	if err := Run(context.Background(), cfg, &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	start := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, "-skip-bad: leaving out 3 files") })
	end := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, "-skip-bad: left out 4 files") })
	if start < 0 || end < start || !strings.Contains(lines[start], "b-head.png") || !strings.Contains(lines[end], "d-truncated.png") {
		t.Errorf("-skip-bad printed\n%s\nwant a line leaving out 3 files at the start and one naming 4 at the end", out.String())
	}
}

// TestFolderLimitCoversTheClasses checks that -limit on a folder sorted by
// class takes every class alike, the same examples for the same seed.
func TestFolderLimitCoversTheClasses(t *testing.T) {
	cfg := folderConfig(t, imageFolder(t, 3))
	cfg.Limit = 20
	picked := func(cfg Config) (indices []int, perClass map[int32]int) {
		ds, err := openData(&cfg)
		if err != nil {
			t.Fatal(err)
		}
		sub := ds.train.(*data.Subset)
		perClass = map[int32]int{}
		for _, i := range sub.Indices {
			perClass[sub.Dataset.(data.Labeled).Label(i)]++
		}
		return sub.Indices, perClass
	}
	first, perClass := picked(cfg)
	for c := range int32(10) {
		if perClass[c] != 2 {
			t.Errorf("-limit 20 of 10 classes of 3: class %d has %d images, want 2 (%v)", c, perClass[c], perClass)
		}
	}
	if again, _ := picked(cfg); !slices.Equal(again, first) {
		t.Errorf("-seed 1 took %v, then %v", first, again)
	}
	cfg.Seed = 2
	if other, _ := picked(cfg); slices.Equal(other, first) {
		t.Errorf("-seed 1 and 2 took the same images %v", first)
	}
}

// TestFewClasses checks that top-5 is left out with 5 classes or fewer
// (it would be 100% or NaN) and that one class gets a warning.
func TestFewClasses(t *testing.T) {
	for _, classes := range []int{1, 3} {
		cfg := DefaultConfig()
		cfg.TrainSet, cfg.ValSet = sampleOf(t, "train", classes, 16), sampleOf(t, "val", classes, 8)
		cfg.Epochs, cfg.Batch, cfg.Workers, cfg.Output = 1, 8, 2, ""
		var out strings.Builder
		if err := Run(context.Background(), cfg, &out); err != nil {
			t.Fatal(err)
		}
		s := out.String()
		if !strings.Contains(s, "epoch 1 val: loss") || strings.Contains(s, "top-5") || strings.Contains(s, "NaN") {
			t.Errorf("%d classes printed\n%s\nwant top-1 without top-5", classes, s)
		}
		if warned := strings.Contains(s, "warning: the dataset has 1 class"); warned != (classes == 1) {
			t.Errorf("%d classes: warned %v\n%s", classes, warned, s)
		}
	}
	if s := newScores(5, false); !slices.Equal(s.topk.Ks, []int{1}) {
		t.Errorf("5 classes count top-%v, want top-1 only", s.topk.Ks)
	}
	if s := newScores(6, false); !slices.Equal(s.topk.Ks, []int{1, 5}) {
		t.Errorf("6 classes count top-%v, want top-1 and top-5", s.topk.Ks)
	}
}

// TestRunRefusesModelsThatDoNotFit checks the model against the data
// before anything trains: the task, and input sizes the model cannot take
// or that are under an eighth of its usual one, each in one line naming
// the flag.
func TestRunRefusesModelsThatDoNotFit(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(c *Config)
		want []string
	}{
		{"segmentation model, classification data", func(c *Config) { c.Model = "unet" },
			[]string{"-model unet is a segmentation model but -dataset builtin is a classification dataset"}},
		{"classification model, segmentation data", func(c *Config) { c.Dataset = "builtin-seg" },
			[]string{"-model resnet20 is a classification model but -dataset builtin-seg is a segmentation dataset"}},
		{"crop of 3", func(c *Config) { c.TrainCropSize = 3 }, []string{"-train-crop-size 3:", "resnet20", "(4)"}},
		{"default crop U-Net cannot take", func(c *Config) { c.Model, c.Dataset, c.TrainCropSize = "unet", "builtin-seg", 24 },
			[]string{"-train-crop-size 24:", "divisible by 16"}},
		{"validation crop U-Net cannot take", func(c *Config) { c.Model, c.Dataset, c.ValCropSize = "unet", "builtin-seg", 24 },
			[]string{"-val-crop-size 24:", "divisible by 16"}},
		{"dataset's default the model cannot take", func(c *Config) { c.Model = "inception_v3" },
			[]string{"-train-crop-size 28 (builtin's default): inception_v3 cannot take a 28x28 input"}},
		{"under an eighth of the usual size", func(c *Config) { c.Model, c.TrainCropSize = "resnet50", 24 },
			[]string{"-train-crop-size 24:", "resnet50", "(28)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tinyConfig(t, 16)
			tc.edit(&cfg)
			err := Run(context.Background(), cfg, io.Discard)
			for _, want := range tc.want {
				if err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "\n") {
					t.Errorf("error %v, want one line containing %q", err, want)
				}
			}
		})
	}
}
