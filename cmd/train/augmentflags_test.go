package main

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gocnn/gocnn/data"
	"github.com/gocnn/gocnn/train"
)

func TestAugmentFlags(t *testing.T) {
	f, err := parse(t, "-auto-augment", "augmix", "-augmix-severity", "5", "-random-erase", "0.25",
		"-color-jitter", "0.4", "-pca-lighting", "0.1", "-interpolation", "bicubic")
	if err != nil {
		t.Fatal(err)
	}
	want := train.Augment{AutoAugment: "augmix", RAMagnitude: 9, AugmixSeverity: 5, RandomErase: 0.25,
		ColorJitter: [4]float64{0.4, 0.4, 0.4, 0}, PCALighting: 0.1, Interpolation: data.Bicubic}
	if f.cfg.Augment != want {
		t.Errorf("flags set %+v, want %+v", f.cfg.Augment, want)
	}
	if f, err = parse(t, "-color-jitter", "0.1,0.2,0.3,0.05"); err != nil || f.cfg.Augment.ColorJitter != [4]float64{0.1, 0.2, 0.3, 0.05} {
		t.Errorf("-color-jitter with hue: %v, %v", f.cfg.Augment.ColorJitter, err)
	}
	if f, err = parse(t); err != nil || f.cfg.Augment != train.DefaultAugment() {
		t.Errorf("no flags: %+v, %v", f.cfg.Augment, err)
	}
	for _, bad := range [][]string{{"-color-jitter", "0.1,0.2"}, {"-color-jitter", "x"}, {"-interpolation", "area"}} {
		if _, err := parse(t, bad...); err == nil || !strings.Contains(err.Error(), bad[0]) {
			t.Errorf("%v: error %v", bad, err)
		}
	}
}

func TestAugmentGridCommand(t *testing.T) {
	path := filepath.Join(t.TempDir(), "grid.png")
	var out bytes.Buffer
	if err := run([]string{"augment-grid", "-out", path, "-rows", "2", "-draws", "2", "-auto-augment", "ta_wide"}, &out); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	// 3 columns and 2 rows of 112-pixel cells (28 x 4) with 4-pixel gaps.
	if b := m.Bounds(); b.Dx() != 3*116+4 || b.Dy() != 2*116+4 {
		t.Errorf("grid of %v", b)
	}
	if !strings.Contains(out.String(), "wrote "+path) {
		t.Errorf("output %q", out.String())
	}
	for _, args := range [][]string{{"augment-grid"}, {"augment-grid", "-out", path, "-auto-augment", "x"}, {"augment-grid", "-out", path, "-rows", "0"}} {
		if err := run(args, &out); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}
