package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/gocnn/gocnn/train/lesion"
)

// runLesionCompare is `train lesion-compare`: the studies that `train
// lesion` wrote into the folders named, side by side (one curve and one
// column per study, e.g. per depth).
//
//	train lesion-compare -out docs/lesion/depth docs/lesion/depth20 docs/lesion/depth56 docs/lesion/depth110
func runLesionCompare(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("train lesion-compare", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	dir := fs.String("out", "lesion-compare", "folder for compare.md and the figures")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(out, "usage: train lesion-compare [-out DIR] STUDY_FOLDER...")
			fs.SetOutput(out)
			fs.PrintDefaults()
			return nil
		}
		return err
	}
	if fs.NArg() == 0 {
		return errors.New("lesion-compare: name the folders of the studies to compare (what train lesion -out wrote)")
	}
	var studies []*lesion.Results
	for _, d := range fs.Args() {
		r, err := lesion.Read(d)
		if err != nil {
			return err
		}
		studies = append(studies, r)
	}
	if err := lesion.Compare(*dir, studies); err != nil {
		return err
	}
	fmt.Fprintf(out, "lesion-compare: %d studies side by side in %s\n", len(studies), filepath.Join(*dir, "compare.md"))
	return nil
}
