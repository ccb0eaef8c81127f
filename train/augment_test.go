package train

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gocnn/gocnn/data"
)

// Each bad augmentation flag is refused in one line naming it.
func TestAugmentValidate(t *testing.T) {
	cases := []struct {
		set     func(*Config)
		wantErr string
	}{
		{func(c *Config) { c.Augment.AutoAugment = "cifar10" }, "-auto-augment"},
		{func(c *Config) { c.Augment.AutoAugment, c.Augment.RAMagnitude = "ra", 31 }, "-ra-magnitude 31"},
		{func(c *Config) { c.Augment.AutoAugment, c.Augment.AugmixSeverity = "augmix", 0 }, "-augmix-severity 0"},
		{func(c *Config) { c.Augment.RandomErase = 1.5 }, "-random-erase 1.5"},
		{func(c *Config) { c.Augment.PCALighting = -0.1 }, "-pca-lighting"},
		{func(c *Config) { c.Augment.ColorJitter = [4]float64{0.4, 0.4, 0.4, 0.6} }, "-color-jitter"},
		{func(c *Config) { c.Dataset, c.Model, c.Augment.AutoAugment = "builtin-seg", "unet", "ta_wide" }, "segmentation"},
		{func(c *Config) { c.Dataset, c.Model, c.Augment.RandomErase = "builtin-seg", "unet", 0.5 }, "classification only"},
	}
	for _, tc := range cases {
		c := DefaultConfig()
		tc.set(&c)
		err := c.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.wantErr) || strings.Contains(err.Error(), "\n") {
			t.Errorf("error %v, want one line about %q", err, tc.wantErr)
		}
	}
	c := DefaultConfig()
	c.Augment.RAMagnitude = 99 // unused without -auto-augment ra
	c.Dataset, c.Model, c.Augment.ColorJitter = "builtin-seg", "unet", [4]float64{0.4, 0.4, 0.4, 0}
	if err := c.Validate(); err != nil {
		t.Errorf("colour jitter on segmentation: %v", err)
	}
}

// The flags' defaults leave the transforms as they were; the flags insert
// the pixel transforms between the crop and flip and the normalisation.
func TestAugmentTransforms(t *testing.T) {
	c := DefaultConfig().DatasetDefaults()
	ds, err := openData(&c)
	if err != nil {
		t.Fatal(err)
	}
	crop := []data.Transform{data.RandomCrop{Size: 28, Pad: 3}, data.HorizontalFlip{}}
	norm := data.Normalize{Mean: fashionMean, Std: fashionStd}
	if want := append(crop, norm); !reflect.DeepEqual(ds.trainTfm, want) {
		t.Errorf("default training transforms %v, want %v", ds.trainTfm, want)
	}
	c.Augment.AutoAugment, c.Augment.RAMagnitude, c.Augment.RandomErase = "ra", 5, 0.25
	c.Augment.ColorJitter = [4]float64{0.4, 0.3, 0, 0}
	c.Augment.Interpolation = data.Nearest
	if ds, err = openData(&c); err != nil {
		t.Fatal(err)
	}
	want := append(crop, data.ColorJitter{Brightness: 0.4, Contrast: 0.3}, data.RandAugment{Magnitude: 5, Interpolation: data.Nearest},
		data.RandomErasing{P: 0.25}, norm)
	if !reflect.DeepEqual(ds.trainTfm, want) {
		t.Errorf("training transforms %v, want %v", ds.trainTfm, want)
	}
	c.Augment.PCALighting = 0.1
	if _, err := openData(&c); err == nil || !strings.Contains(err.Error(), "-pca-lighting") {
		t.Errorf("PCA lighting on grey images: %v", err)
	}
}

// -interpolation reaches the folder recipe's resizes.
func TestAugmentInterpolation(t *testing.T) {
	root := t.TempDir()
	for _, dir := range []string{"train/a", "train/b", "val/a", "val/b"} {
		if err := os.MkdirAll(filepath.Join(root, dir), 0o755); err != nil {
			t.Fatal(err)
		}
		f, err := os.Create(filepath.Join(root, dir, "1.png"))
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(f, image.NewGray(image.Rect(0, 0, 40, 30))); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	c := DefaultConfig()
	c.Dataset, c.Data, c.Augment.Interpolation = "folder", root, data.Bicubic
	c = c.DatasetDefaults()
	ds, err := openData(&c)
	if err != nil {
		t.Fatal(err)
	}
	if got := ds.trainTfm[0]; got != (data.RandomResizedCrop{Size: 224, Interpolation: data.Bicubic}) {
		t.Errorf("training crop %#v", got)
	}
	if got := ds.valTfm[0]; got != (data.Resize{Shorter: 256, Interpolation: data.Bicubic}) {
		t.Errorf("validation resize %#v", got)
	}
}

// The grid is deterministic, its first column (the validation view)
// differs from the training draws, and the draws differ from each other.
func TestAugmentGrid(t *testing.T) {
	c := DefaultConfig()
	c.Augment.AutoAugment = "ra"
	g, err := AugmentGrid(c, 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	// 28-pixel images enlarged 4 times, 4-pixel gaps: 4 columns, 2 rows.
	if g.Rect != image.Rect(0, 0, 4*116+4, 2*116+4) {
		t.Fatalf("grid %v", g.Rect)
	}
	again, err := AugmentGrid(c, 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(g.Pix, again.Pix) {
		t.Error("two grids of the same flags differ")
	}
	cell := func(col, row int) []byte {
		var b []byte
		for y := 4 + row*116; y < (row+1)*116; y++ {
			b = append(b, g.Pix[g.PixOffset(4+col*116, y):g.PixOffset((col+1)*116, y)]...)
		}
		return b
	}
	for row := range 2 {
		for _, pair := range [][2]int{{0, 1}, {1, 2}, {2, 3}} {
			if bytes.Equal(cell(pair[0], row), cell(pair[1], row)) {
				t.Errorf("row %d: columns %d and %d are the same", row, pair[0], pair[1])
			}
		}
	}
	if _, err := AugmentGrid(c, 0, 3); err == nil {
		t.Error("0 rows accepted")
	}
}

// Resuming an augmented run after its first epoch ends with the same bits
// as running it straight: the pixel stage's draws depend on the seed, the
// epoch and the image only.
func TestResumeIsExactWithAugmentation(t *testing.T) {
	straight := tinyConfig(t, 32)
	straight.Augment = Augment{AutoAugment: "augmix", AugmixSeverity: 3, RandomErase: 0.5, ColorJitter: [4]float64{0.4, 0.4, 0, 0}}
	run(t, straight)
	split := resumedAfterOneEpoch(t, straight)
	want, got := lastCheckpoint(t, straight.Output), lastCheckpoint(t, split.Output)
	sameBits(t, "weights", got.Weights, want.Weights)
	unaugmented := tinyConfig(t, 32)
	run(t, unaugmented)
	if reflect.DeepEqual(lastCheckpoint(t, unaugmented.Output).Weights, want.Weights) {
		t.Error("the augmentation changed no weight")
	}
}
