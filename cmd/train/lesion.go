package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/checkpoint"
	"github.com/gocnn/gocnn/cpu"
	"github.com/gocnn/gocnn/data"
	"github.com/gocnn/gocnn/nn/models"
	"github.com/gocnn/gocnn/train"
	"github.com/gocnn/gocnn/train/lesion"
)

// runLesion is `train lesion`: the layer-deletion study of Veit et al.
// 2016 on trained checkpoints (see package lesion).
//
//	train lesion -resnet runs/preresnet110 -plain runs/plain110 -out lesion
func runLesion(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("train lesion", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	resPath := fs.String("resnet", "", "checkpoint (.json or run folder) of a residual network, e.g. preresnet110")
	plainPath := fs.String("plain", "", "checkpoint of the plain network of the contrast, e.g. plain110 (optional)")
	dataset := fs.String("dataset", "builtin", "test data: builtin, fashion-mnist, mnist, cifar10, cifar100 or folder (its val split; as the networks were trained)")
	root := fs.String("data", "", "dataset folder (not for builtin)")
	bnImages := fs.Int("bn-reestimate", 1000, "re-estimate the batch-norm statistics on this many training images after each deletion and measure again (0: don't)")
	limit := fs.Int("limit", 0, "use only the first N test images (0: all)")
	batch := fs.Int("batch", 100, "images per batch")
	var cfg lesion.Config
	fs.IntVar(&cfg.Draws, "draws", 5, "random draws for each k of the random deletion and reordering experiments")
	fs.IntVar(&cfg.MaxDelete, "max-delete", 0, "random deletion: up to this many blocks at once (0: half of them)")
	fs.IntVar(&cfg.MaxSwaps, "max-swaps", 0, "reordering: up to this many swaps (0: half the number of blocks)")
	fs.IntVar(&cfg.PathSamples, "path-samples", 10, "sampled paths per path length for the gradient measurement (0: skip it)")
	pathBatch := fs.Int("path-batch", 32, "training images per sampled path")
	fs.Uint64Var(&cfg.Seed, "seed", 1, "seed of the random draws")
	dir := fs.String("out", "lesion", "folder for the CSV files, report.md and the plots")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(out)
			fs.PrintDefaults()
			return nil
		}
		return err
	}
	switch {
	case fs.NArg() > 0:
		return fmt.Errorf("lesion: unexpected argument %q (flags start with -)", fs.Arg(0))
	case *resPath == "":
		return fmt.Errorf("lesion: -resnet names no checkpoint")
	case *batch < 1 || *pathBatch < 1:
		return fmt.Errorf("lesion: -batch %d and -path-batch %d must be at least 1", *batch, *pathBatch)
	case cfg.Draws < 1 || cfg.MaxDelete < 0 || cfg.MaxSwaps < 0 || cfg.PathSamples < 0 || *bnImages < 0:
		return fmt.Errorf("lesion: -draws must be at least 1, -max-delete, -max-swaps, -path-samples and -bn-reestimate not negative")
	}

	// Models.
	dev := autograd.NewDevice(cpu.New(runtime.GOMAXPROCS(0)))
	res, info, err := loadLesionable(*resPath, dev)
	if err != nil {
		return err
	}
	in := lesion.Inputs{ResNet: res, ResNetName: info.Model, Dev: dev}
	if *plainPath != "" {
		plain, pinfo, err := loadLesionable(*plainPath, dev)
		if err != nil {
			return err
		}
		in.Plain, in.PlainName = plain, pinfo.Model
	}

	// Data, resized and normalised as the run evaluated.
	trainSet, testSet, err := openSplits(*dataset, *root, info)
	if err != nil {
		return err
	}
	tfm, err := evalTransforms(*resPath, *dataset, info)
	if err != nil {
		return err
	}
	load := func(ds data.Dataset, batch, n int) (*lesion.Set, error) {
		// A folder is sorted by class: its first n images would be a few
		// classes. The other datasets are shuffled and keep their first n.
		if *dataset == "folder" && n > 0 {
			ds = data.Limit(ds, n, cfg.Seed)
		}
		return lesion.LoadSet(ds, tfm, batch, n)
	}
	if in.Test, err = load(testSet, *batch, *limit); err != nil {
		return err
	}
	// The gradient measurement needs random batches, not the whole split.
	if in.Train, err = load(trainSet, *pathBatch, 64**pathBatch); err != nil {
		return err
	}
	if *bnImages > 0 {
		if in.BN, err = load(trainSet, *batch, *bnImages); err != nil {
			return err
		}
	}

	// The study.
	r, err := lesion.Run(*dir, in, cfg, out)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "lesion: %s: error %.4f, %d blocks; wrote %s/report.md\n", r.ResNetName, r.Base.Error, r.Blocks, *dir)
	return nil
}

// loadLesionable loads a checkpoint whose model can be lesioned.
func loadLesionable(path string, dev *autograd.Device) (models.Lesionable, checkpoint.ModelInfo, error) {
	m, info, err := checkpoint.LoadModel(path, dev)
	if err != nil {
		return nil, info, err
	}
	l, ok := m.(models.Lesionable)
	if !ok {
		return nil, info, fmt.Errorf("lesion: %s: model %s has no blocks to delete (use a ResNet or a plain CIFAR network)", path, info.Model)
	}
	if info.Segmentation {
		return nil, info, fmt.Errorf("lesion: %s: a segmentation model", path)
	}
	return l, info, nil
}

// lesionDatasets are the classification datasets the study evaluates on.
var lesionDatasets = []string{"builtin", "fashion-mnist", "mnist", "cifar10", "cifar100", "folder"}

// openSplits opens the training and test splits of a classification
// dataset as train.Run does, and checks that their classes are the
// model's.
func openSplits(name, root string, info checkpoint.ModelInfo) (trainSet, testSet data.Dataset, err error) {
	if !slices.Contains(lesionDatasets, name) {
		return nil, nil, fmt.Errorf("lesion: -dataset %q: want %s", name, strings.Join(lesionDatasets, ", "))
	}
	trainSet, testSet, err = train.OpenSplits(name, root)
	if err != nil {
		return nil, nil, fmt.Errorf("lesion: %w", err)
	}
	if got, want := trainSet.Classes(), info.ClassNames; len(want) > 0 && !slices.Equal(got, want) {
		i := 0
		for i < min(len(got), len(want)) && got[i] == want[i] {
			i++
		}
		at := func(names []string) string {
			if i < len(names) {
				return strconv.Quote(names[i])
			}
			return "none"
		}
		return nil, nil, fmt.Errorf("lesion: -dataset %s -data %q: %d classes, class %d %s; the model was trained on %d, class %d %s",
			name, root, len(got), i, at(got), len(want), i, at(want))
	}
	return trainSet, testSet, nil
}

// evalTransforms returns the transforms the run of the checkpoint at path
// evaluated with: -dataset's validation resize and crop at the run's
// -val-resize-size, -val-crop-size and -interpolation (train.ValTransforms),
// then the model's normalisation.
func evalTransforms(path, dataset string, info checkpoint.ModelInfo) ([]data.Transform, error) {
	st, err := checkpoint.ReadState(path)
	if err != nil {
		return nil, err
	}
	var sizes [2]int
	for i, key := range []string{"val-resize-size", "val-crop-size"} {
		if v := st.Flags[key]; v != "" {
			if sizes[i], err = strconv.Atoi(v); err != nil {
				return nil, fmt.Errorf("lesion: %s: %s %q in the checkpoint", path, key, v)
			}
		}
	}
	interp := data.Bilinear
	if v := st.Flags["interpolation"]; v != "" {
		if interp, err = data.ParseInterpolation(v); err != nil {
			return nil, fmt.Errorf("lesion: %s: %w", path, err)
		}
	}
	return append(train.ValTransforms(dataset, sizes[0], sizes[1], interp), data.Normalize{Mean: info.Mean, Std: info.Std}), nil
}
