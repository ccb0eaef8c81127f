package train

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gocnn/gocnn/data"
)

// TestCacheDatasetSameRun checks that -cache-dataset trains an image
// folder to the same bits, says what it keeps, and is free on resume: a
// run stopped without it and resumed with it ends as the straight run.
func TestCacheDatasetSameRun(t *testing.T) {
	root := imageFolder(t, 4)
	plain := folderConfig(t, root).DatasetDefaults()
	plain.Epochs = 2
	run(t, plain)

	sameRunCached(t, plain, "-cache-dataset: keeping validation images decoded (~0.1 MiB) and training images decoded (~0.1 MiB) in memory (budget ")
	want := lastCheckpoint(t, plain.Output)

	resumed := plain
	resumed.Output = t.TempDir()
	stopAfterOneEpoch(t, resumed)
	resumed.Resume, resumed.CacheDataset = resumed.Output, true
	run(t, resumed)
	sameBits(t, "weights resumed with -cache-dataset", lastCheckpoint(t, resumed.Output).Weights, want.Weights)
	if strings.Contains(strings.Join(ResumeAllowable(), ","), "cache-dataset") {
		t.Error("-resume-allow offers cache-dataset, which is free")
	}
}

// sameRunCached runs plain again with -cache-dataset into a fresh folder
// and checks that it prints line and ends with the same weights, and the
// same loss and top-1 in every record, as plain did.
func sameRunCached(t *testing.T, plain Config, line string) {
	t.Helper()
	cached := plain
	cached.Output, cached.CacheDataset = t.TempDir(), true
	var out strings.Builder
	if err := Run(context.Background(), cached, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), line) {
		t.Errorf("the run printed\n%s\nwant %q", out.String(), line)
	}
	sameBits(t, "weights with -cache-dataset", lastCheckpoint(t, cached.Output).Weights, lastCheckpoint(t, plain.Output).Weights)
	if got, want := losses(t, cached.Output), losses(t, plain.Output); !reflect.DeepEqual(got, want) {
		t.Errorf("losses and top-1 of each epoch and split %v with -cache-dataset, %v without", got, want)
	}
}

// losses returns the loss and top-1 of every record of the metrics log in
// dir.
func losses(t *testing.T, dir string) [][2]float64 {
	t.Helper()
	recs, err := ReadMetricsLog(filepath.Join(dir, "metrics.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var out [][2]float64
	for _, r := range recs {
		out = append(out, [2]float64{r.Loss, r.Top1})
	}
	return out
}

// TestCacheDatasetBudget checks what -cache-dataset keeps when only the
// validation split fits in half the available memory, when the memory
// cannot be read, for the builtin data and for -eval-only.
func TestCacheDatasetBudget(t *testing.T) {
	defer func(f func() (int64, error)) { memAvailable = f }(memAvailable)
	root := imageFolder(t, 4) // 40 images of 28x28x3 per split: 91.9 KiB
	cases := []struct {
		avail    int64
		err      error
		dataset  string
		want     string
		cachedTo [2]bool // validation, training
	}{
		{2 * 100 << 10, nil, "folder", "-cache-dataset: keeping validation images decoded (~0.1 MiB) in memory; training images decoded (~0.1 MiB) do not fit and are read every epoch (budget 0 MiB, half the available memory)", [2]bool{true, false}},
		{2 * 50 << 10, nil, "folder", "-cache-dataset: keeping nothing in memory; validation images decoded (~0.1 MiB) and training images decoded (~0.1 MiB) do not fit and are read every epoch (budget 0 MiB, half the available memory)", [2]bool{}},
		{0, errors.New("/proc/meminfo: no such file"), "folder", "-cache-dataset: /proc/meminfo: no such file; nothing cached", [2]bool{}},
		{1 << 30, nil, "builtin", "-cache-dataset: the images are already in memory, decoded; nothing to cache", [2]bool{}},
		{1 << 30, nil, "eval-only", "-cache-dataset: -eval-only reads each image once; nothing cached", [2]bool{}},
	}
	for _, tc := range cases {
		memAvailable = func() (int64, error) { return tc.avail, tc.err }
		cfg := folderConfig(t, root)
		if tc.dataset == "builtin" {
			cfg = tinyConfig(t, 40)
		}
		cfg.EvalOnly = tc.dataset == "eval-only"
		cfg.CacheDataset = true
		ds, err := openData(&cfg)
		if err != nil {
			t.Fatal(err)
		}
		line, err := ds.cache(&cfg)
		if err != nil || line != tc.want {
			t.Errorf("%d bytes available (%v): %q, %v\nwant %q", tc.avail, tc.err, line, err, tc.want)
		}
		_, val := ds.val.(*data.Cache)
		_, train := ds.train.(*data.Cache)
		if [2]bool{val, train} != tc.cachedTo {
			t.Errorf("%d bytes available (%v): validation, training cached %v, want %v", tc.avail, tc.err, [2]bool{val, train}, tc.cachedTo)
		}
	}
}

// TestCacheDatasetBakesOnDevicePixels checks that with uint8 batches (on
// GPUs) the validation split is cached resized and cropped, and that its
// batches are those of all the transforms.
func TestCacheDatasetBakesOnDevicePixels(t *testing.T) {
	cfg := folderConfig(t, imageFolder(t, 2))
	cfg.ValResizeSize, cfg.ValCropSize = 40, 36
	cfg.GPUs, cfg.CacheDataset = []int{0}, true // pixelsOnDevice; nothing runs on them here
	ds, err := openData(&cfg)
	if err != nil {
		t.Fatal(err)
	}
	plain := *ds
	line, err := ds.cache(&cfg)
	if err != nil || !strings.Contains(line, "keeping validation images resized and cropped (~0.1 MiB) and training images decoded") {
		t.Fatalf("%q, %v: want the validation images resized and cropped", line, err)
	}
	if len(ds.valTfm) != 1 {
		t.Fatalf("the validation loader is left %d transforms, want the normalisation", len(ds.valTfm))
	}
	batches := func(ds data.Dataset, tfm []data.Transform) [][]uint8 {
		l, err := data.NewLoader(ds, data.LoaderConfig{BatchSize: 7, Transforms: tfm, Workers: 2, Uint8: true})
		if err != nil {
			t.Fatal(err)
		}
		var out [][]uint8
		for e := range 2 {
			ep := l.Epoch(e)
			for {
				b, err := ep.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, append([]uint8(nil), b.Images.Data().([]uint8)...))
				b.Release()
			}
		}
		return out
	}
	if !reflect.DeepEqual(batches(ds.val, ds.valTfm), batches(plain.val, plain.valTfm)) {
		t.Error("the validation batches differ when cached resized and cropped")
	}
}
