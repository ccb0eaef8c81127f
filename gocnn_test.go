package gocnn

import (
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"gorgonia.org/tensor"

	"github.com/gocnn/gocnn/checkpoint"
	"github.com/gocnn/gocnn/data"
	"github.com/gocnn/gocnn/data/embedded"
	"github.com/gocnn/gocnn/internal/argmax"
	"github.com/gocnn/gocnn/train"
)

// trainTiny trains one short epoch of model on dataset into a temporary
// folder and returns it.
func trainTiny(t *testing.T, model, dataset string, limit, batch int) string {
	t.Helper()
	cfg := train.DefaultConfig()
	cfg.Model, cfg.Dataset = model, dataset
	cfg.Epochs, cfg.Limit, cfg.Batch, cfg.Output = 1, limit, batch, t.TempDir()
	if err := train.Run(context.Background(), cfg, io.Discard); err != nil {
		t.Fatal(err)
	}
	return cfg.Output
}

// valImages returns the n validation images of the embedded sample that
// trainTiny's -limit n evaluates (train.DefaultConfig's seed), scaled to
// [0, 1], with their labels.
func valImages(t *testing.T, n int) (*tensor.Dense, []int32) {
	t.Helper()
	val, err := embedded.FashionMNIST("val")
	if err != nil {
		t.Fatal(err)
	}
	sub := data.Limit(val, n, train.DefaultConfig().Seed)
	px := make([]float32, 0, n*28*28)
	labels := make([]int32, n)
	var ex data.Example
	for i := range n {
		if err := sub.Load(i, &ex); err != nil {
			t.Fatal(err)
		}
		for _, v := range ex.Image.Pix {
			px = append(px, float32(v)/255)
		}
		labels[i] = ex.Label
	}
	return tensor.New(tensor.WithShape(n, 28, 28, 1), tensor.WithBacking(px)), labels
}

// TestPredictMatchesValidation checks the whole path from training to
// Predict (weights through the PyTorch-layout file, normalisation,
// evaluation mode): Predict's top-1 accuracy on the validation images the
// run evaluated equals the accuracy the checkpoint recorded.
func TestPredictMatchesValidation(t *testing.T) {
	const n = 64
	dir := trainTiny(t, "resnet20", "builtin", n, 16)
	model, err := Load(filepath.Join(dir, "best.json"))
	if err != nil {
		t.Fatal(err)
	}
	images, labels := valImages(t, n)
	probs, err := model.Predict(images)
	if err != nil {
		t.Fatal(err)
	}
	pred := argmax.Rows(probs.Data().([]float32), 10)
	correct := 0
	for i, l := range labels {
		if pred[i] == l {
			correct++
		}
	}
	ck, err := checkpoint.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := 100*float64(correct)/n, ck.Metrics["val_top1"]; got != want {
		t.Errorf("Predict's top-1 %.2f%%, the run's validation %.2f%%", got, want)
	}
	if _, err := model.Predict(tensor.New(tensor.WithShape(1, 28, 28, 3), tensor.Of(tensor.Float32))); err == nil ||
		!strings.Contains(err.Error(), "1-channel") {
		t.Errorf("3-channel input to a 1-channel model: error %v", err)
	}
	if _, err := model.Predict(tensor.New(tensor.WithShape(1, 28, 28, 1), tensor.Of(tensor.Float64))); err == nil {
		t.Error("float64 input: no error")
	}
	for _, shape := range [][]int{{0, 28, 28, 1}, {2, 0, 28, 1}} {
		empty := tensor.New(tensor.WithShape(shape...), tensor.WithBacking([]float32{}))
		if out, err := model.Predict(empty); err == nil || !strings.Contains(err.Error(), "empty") {
			t.Errorf("empty batch %v: %v, error %v; want an error saying it is empty", shape, out, err)
		}
	}
}

func TestPredictSegmentation(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a U-Net")
	}
	dir := trainTiny(t, "unet", "builtin-seg", 2, 2)
	model, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	seg, err := model.Predict(tensor.New(tensor.WithShape(2, 32, 32, 1), tensor.Of(tensor.Float32)))
	if err != nil {
		t.Fatal(err)
	}
	if s := seg.Shape(); len(s) != 3 || s[0] != 2 || s[1] != 32 || s[2] != 32 || seg.Dtype() != tensor.Int32 {
		t.Errorf("segmentation map %v %v, want (2, 32, 32) int32", seg.Dtype(), seg.Shape())
	}
	images, _ := valImages(t, 1)
	if _, err := model.Predict(images); err == nil || !strings.Contains(err.Error(), "divisible by 16") {
		t.Errorf("28x28 input to a U-Net: error %v, want one about sides divisible by 16", err)
	}
}
