package main

import (
	"errors"
	"flag"
	"fmt"
	"image/png"
	"io"
	"os"

	"github.com/gocnn/gocnn/train"
)

// runAugmentGrid is `train augment-grid`: a PNG of what the training
// flags' augmentation does to the dataset's images.
//
//	train augment-grid -dataset builtin -auto-augment ra -out ra.png
func runAugmentGrid(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("train augment-grid", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	tf := addTrainFlags(fs)
	path := fs.String("out", "", "PNG file to write (required)")
	rows := fs.Int("rows", 6, "training images, one per row")
	draws := fs.Int("draws", 7, "training draws of each, after its validation view")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(out, "usage: train augment-grid -out FILE.png [-rows N] [-draws N] [training flags]")
			fs.SetOutput(out)
			fs.PrintDefaults()
			return nil
		}
		return fmt.Errorf("augment-grid: %w", err)
	}
	switch {
	case fs.NArg() > 0:
		return fmt.Errorf("augment-grid: unexpected argument %q (flags start with -)", fs.Arg(0))
	case *path == "":
		return fmt.Errorf("augment-grid: -out names no PNG file")
	}
	cfg, err := tf.config()
	if err != nil {
		return err
	}
	grid, err := train.AugmentGrid(cfg, *rows, *draws)
	if err != nil {
		return err
	}
	f, err := os.Create(*path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, grid); err != nil {
		f.Close()
		return fmt.Errorf("augment-grid: writing %s: %w", *path, err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintf(out, "wrote %s: -dataset %s images, one a row, as validation sees them, then %d training draws\n",
		*path, cfg.Dataset, *draws)
	return nil
}
