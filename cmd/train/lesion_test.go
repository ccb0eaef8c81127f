package main

import (
	"context"
	"fmt"
	"image"
	"image/png"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gocnn/gocnn/checkpoint"
	"github.com/gocnn/gocnn/data"
	"github.com/gocnn/gocnn/train"
)

// TestLesionEndToEnd trains preresnet20 for a few steps with train.Run and
// runs the whole study on its checkpoint.
func TestLesionEndToEnd(t *testing.T) {
	cfg := train.DefaultConfig()
	cfg.Model, cfg.Limit, cfg.Epochs, cfg.Batch, cfg.Workers = "preresnet20", 48, 1, 16, 1
	cfg.Output = t.TempDir()
	if err := train.Run(context.Background(), cfg, io.Discard); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var out strings.Builder
	err := runLesion([]string{"-resnet", cfg.Output, "-limit", "32", "-draws", "1", "-max-delete", "2", "-max-swaps", "1",
		"-path-samples", "1", "-path-batch", "4", "-out", dir}, &out)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "preresnet20: error") {
		t.Errorf("output %q", out.String())
	}
	for _, f := range []string{"report.md", "single.csv", "random.csv", "reorder.csv", "paths.csv", "fig3_single.png", "fig6_paths.png"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}

	// The study read back beside itself.
	cmp := t.TempDir()
	out.Reset()
	if err := runLesionCompare([]string{"-out", cmp, dir, dir}, &out); err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(filepath.Join(cmp, "compare.md"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "| | paper | preresnet20 (9 blocks) | preresnet20 (9 blocks) |"; !strings.Contains(string(md), want) {
		t.Errorf("compare.md has no %q:\n%s", want, md)
	}
}

func TestLesionCompareErrors(t *testing.T) {
	none := filepath.Join(t.TempDir(), "none")
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "name the folders of the studies"},
		{[]string{none}, none + " has no study.json"},
		{[]string{"-nope"}, "flag provided but not defined"},
	} {
		if err := runLesionCompare(c.args, io.Discard); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("lesion-compare %v: error %v, want one containing %q", c.args, err, c.want)
		}
	}
}

func TestLesionErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "-resnet names no checkpoint"},
		{[]string{"-resnet", "x", "-draws", "0"}, "-draws must be at least 1"},
		{[]string{"-resnet", "x", "-batch", "0"}, "-batch 0"},
		{[]string{"-resnet", "x", "extra"}, `unexpected argument "extra"`},
		{[]string{"-resnet", filepath.Join(t.TempDir(), "none")}, "no such file"},
		{[]string{"-nope"}, "flag provided but not defined"},
	} {
		err := runLesion(c.args, io.Discard)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("lesion %v: error %v, want one containing %q", c.args, err, c.want)
		}
	}
	if _, _, err := openSplits("voc", "", checkpoint.ModelInfo{}); err == nil || !strings.Contains(err.Error(), "want builtin") {
		t.Errorf("openSplits(voc): %v", err)
	}
	if _, _, err := openSplits("cifar10", "", checkpoint.ModelInfo{}); err == nil || !strings.Contains(err.Error(), "needs -data") {
		t.Errorf("openSplits(cifar10) without a folder: %v", err)
	}
}

// writeFolder writes an ImageFolder of colour PNGs under root:
// {train,val}/<class>/<i>.png, n images per class, of sizes that differ so
// that only the validation resize and crop make them a batch.
func writeFolder(t *testing.T, root string, classes []string, n int) {
	t.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	for _, split := range []string{"train", "val"} {
		for ci, c := range classes {
			dir := filepath.Join(root, split, c)
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			for i := range n {
				img := image.NewRGBA(image.Rect(0, 0, 36+i%3*4, 40-i%2*3))
				for j := range img.Pix {
					img.Pix[j] = uint8(r.IntN(64) + 128*ci*(j%4/2)) // class 1 is redder
				}
				f, err := os.Create(filepath.Join(dir, fmt.Sprintf("%d.png", i)))
				if err != nil {
					t.Fatal(err)
				}
				if err := png.Encode(f, img); err != nil {
					t.Fatal(err)
				}
				f.Close()
			}
		}
	}
}

// TestLesionFolder runs the study on an image folder's val split, resized
// and cropped as the run evaluated it (its -val-resize-size and
// -val-crop-size from the checkpoint), with the batch-norm re-estimation
// on its training split.
func TestLesionFolder(t *testing.T) {
	root := t.TempDir()
	writeFolder(t, root, []string{"a", "b"}, 6)
	cfg := train.DefaultConfig()
	cfg.Model, cfg.Dataset, cfg.Data, cfg.Epochs, cfg.Batch, cfg.Workers = "preresnet20", "folder", root, 1, 4, 1
	cfg.TrainCropSize, cfg.ValResizeSize, cfg.ValCropSize = 32, 36, 32
	cfg.Output = t.TempDir()
	if err := train.Run(context.Background(), cfg, io.Discard); err != nil {
		t.Fatal(err)
	}
	info := checkpoint.ModelInfo{Mean: []float32{0.5}, Std: []float32{0.25}}
	tfm, err := evalTransforms(cfg.Output, "folder", info)
	want := []data.Transform{data.Resize{Shorter: 36}, data.CenterCrop{W: 32, H: 32}, data.Normalize{Mean: info.Mean, Std: info.Std}}
	if err != nil || !reflect.DeepEqual(tfm, want) {
		t.Errorf("evaluation transforms %v (%v), want the run's %v", tfm, err, want)
	}
	dir := t.TempDir()
	var out strings.Builder
	err = runLesion([]string{"-resnet", cfg.Output, "-dataset", "folder", "-data", root, "-batch", "4", "-bn-reestimate", "8", "-draws", "1",
		"-max-delete", "1", "-max-swaps", "1", "-path-samples", "1", "-path-batch", "4", "-out", dir}, &out)
	if err != nil {
		t.Fatal(err)
	}
	report, err := os.ReadFile(filepath.Join(dir, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"top-1 test errors on 12 images", "re-estimating them with the blocks deleted on 8 training images"} {
		if !strings.Contains(string(report), want) {
			t.Errorf("report.md has no %q", want)
		}
	}

	// A folder of other classes, and none at all.
	other := t.TempDir()
	writeFolder(t, other, []string{"a", "c"}, 1)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-dataset", "folder"}, "-dataset folder needs -data"},
		{[]string{"-dataset", "folder", "-data", filepath.Join(root, "none")}, filepath.Join(root, "none", "train")},
		{[]string{"-dataset", "folder", "-data", other}, `2 classes, class 1 "c"; the model was trained on 2, class 1 "b"`},
	} {
		err := runLesion(append([]string{"-resnet", cfg.Output}, c.args...), io.Discard)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("lesion %v: error %v, want one line containing %q", c.args, err, c.want)
		}
	}
}
