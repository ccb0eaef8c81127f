package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime"
	"slices"
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
	dataset := fs.String("dataset", "builtin", "test data: builtin, fashion-mnist, mnist, cifar10 or cifar100 (as the networks were trained)")
	root := fs.String("data", "", "dataset folder (not for builtin)")
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
	case cfg.Draws < 1 || cfg.MaxDelete < 0 || cfg.MaxSwaps < 0 || cfg.PathSamples < 0:
		return fmt.Errorf("lesion: -draws must be at least 1, -max-delete, -max-swaps and -path-samples not negative")
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

	// Data, normalised as in training.
	trainSet, testSet, err := openSplits(*dataset, *root)
	if err != nil {
		return err
	}
	if in.Test, err = lesion.LoadSet(testSet, info.Mean, info.Std, *batch, *limit); err != nil {
		return err
	}
	// The gradient measurement needs random batches, not the whole split.
	if in.Train, err = lesion.LoadSet(trainSet, info.Mean, info.Std, *pathBatch, 64**pathBatch); err != nil {
		return err
	}

	// The study.
	r, err := lesion.Run(*dir, in, cfg, out)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "lesion: %s: error %.4f, %d blocks; wrote %s/report.md\n", r.ResNetName, r.Base, r.Blocks, *dir)
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
		return nil, info, fmt.Errorf("lesion: %s: model %s has no blocks to delete (use a CIFAR ResNet or plain network)", path, info.Model)
	}
	if info.Segmentation {
		return nil, info, fmt.Errorf("lesion: %s: a segmentation model", path)
	}
	return l, info, nil
}

// lesionDatasets are the classification datasets the study evaluates on.
var lesionDatasets = []string{"builtin", "fashion-mnist", "mnist", "cifar10", "cifar100"}

// openSplits opens the training and test splits of a classification
// dataset as train.Run does.
func openSplits(name, root string) (trainSet, testSet data.Dataset, err error) {
	if !slices.Contains(lesionDatasets, name) {
		return nil, nil, fmt.Errorf("lesion: -dataset %q: want %s", name, strings.Join(lesionDatasets, ", "))
	}
	trainSet, testSet, err = train.OpenSplits(name, root)
	if err != nil {
		return nil, nil, fmt.Errorf("lesion: %w", err)
	}
	return trainSet, testSet, nil
}
